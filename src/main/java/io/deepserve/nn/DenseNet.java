package io.deepserve.nn;

import java.util.List;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.pooling.Pool;

import static io.deepserve.nn.Layers.batchNorm;
import static io.deepserve.nn.Layers.conv;

/**
 * DenseNet-BC (Huang et al. 2017) in torchvision's layout; DJL has no DenseNet. Each layer is batch norm, ReLU,
 * 1x1 convolution to {@code 4 * growth}, batch norm, ReLU, 3x3 convolution to {@code growth}, and its output is
 * concatenated to its input; transitions multiply the channels by the compression (torchvision's 0.5, rounded down)
 * and halve the resolution. Stages: {@code stem}, {@code denseblock1}, {@code transition1}, ..., {@code denseblock4}
 * (with the final batch norm and ReLU).
 */
final class DenseNet {

	/** torchvision's growth rate k. */
	static final int GROWTH = 32;

	/** torchvision's (and the paper's DenseNet-BC) transition compression theta. */
	static final double COMPRESSION = 0.5;

	private static final int BOTTLENECK_FACTOR = 4;

	private DenseNet() {
	}

	static Block densenet121(int classes, TorchvisionNames names) {
		return build(classes, names, GROWTH, COMPRESSION, 64, 6, 12, 24, 16);
	}

	static Block densenet169(int classes, TorchvisionNames names) {
		return build(classes, names, GROWTH, COMPRESSION, 64, 6, 12, 32, 32);
	}

	static Block densenet201(int classes, TorchvisionNames names) {
		return build(classes, names, GROWTH, COMPRESSION, 64, 6, 12, 48, 32);
	}

	/** DenseNet-BC with these blocks at any growth rate and compression, the stem at twice the growth rate. */
	static Architectures.Shaped shaped(int... layersPerBlock) {
		int[] blocks = layersPerBlock.clone();
		return (classes, names, growth, compression) -> build(classes, names, growth, compression, 2 * growth,
				blocks);
	}

	/**
	 * The ImageNet DenseNet-BC with any growth rate and compression: the stem has {@code 2 * growth} filters as in
	 * the paper (64 at torchvision's 32). Only growth 32 and compression 0.5 give torchvision's tensors.
	 */
	static Block build(int classes, TorchvisionNames names, int growth, double compression, int stemFilters,
			int... layersPerBlock) {
		SequentialBlock net = new SequentialBlock();
		names.stage("stem", net);
		net.add(names.name("features.conv0", conv(stemFilters, 7, 2, 3, false)))
			.add(names.name("features.norm0", batchNorm()))
			.add(Activation.reluBlock())
			.add(Layers.maxPool(3, 2, 1));
		int channels = stemFilters;
		for (int b = 0; b < layersPerBlock.length; b++) {
			names.stage("denseblock" + (b + 1), net);
			for (int i = 0; i < layersPerBlock[b]; i++) {
				String prefix = "features.denseblock" + (b + 1) + ".denselayer" + (i + 1) + ".";
				net.add(Layers.concatChannels(List.of(Blocks.identityBlock(), denseLayer(names, prefix, growth))));
				channels += growth;
			}
			if (b < layersPerBlock.length - 1) {
				// at least one channel, so that a tiny compression still builds
				channels = Math.max(1, (int) Math.floor(channels * compression));
				names.stage("transition" + (b + 1), net);
				net.add(transition(names, "features.transition" + (b + 1) + ".", channels));
			}
		}
		// the last block's stage ends with the features' final batch norm and ReLU
		net.add(names.name("features.norm5", batchNorm())).add(Activation.reluBlock());
		names.endStages(net);
		return net.add(Layers.globalAvgPool())
			.add(names.name("classifier", Layers.linear(classes)));
	}

	private static Block denseLayer(TorchvisionNames names, String prefix, int growth) {
		return new SequentialBlock().add(names.name(prefix + "norm1", batchNorm()))
			.add(Activation.reluBlock())
			.add(names.name(prefix + "conv1", conv(BOTTLENECK_FACTOR * growth, 1, 1, 0, false)))
			.add(names.name(prefix + "norm2", batchNorm()))
			.add(Activation.reluBlock())
			.add(names.name(prefix + "conv2", conv(growth, 3, 1, 1, false)));
	}

	private static Block transition(TorchvisionNames names, String prefix, int channels) {
		return new SequentialBlock().add(names.name(prefix + "norm", batchNorm()))
			.add(Activation.reluBlock())
			.add(names.name(prefix + "conv", conv(channels, 1, 1, 0, false)))
			.add(Pool.avgPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
	}

}
