package io.deepserve.nn;

import java.util.List;

import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;

import static io.deepserve.nn.Layers.batchNorm;
import static io.deepserve.nn.Layers.conv;

/**
 * ResNet v1.5 in torchvision's layout (He et al. 2015; stride on the 3x3 convolution of a bottleneck). DJL's
 * {@code ResNetV1} is not used: it builds bottlenecks for ResNet-18/34, puts biases on convolutions and changes
 * its stem for small images, so its parameter counts do not match the published ones.
 */
final class ResNet {

	private ResNet() {
	}

	static Block resnet18(int classes, TorchvisionNames names) {
		return build(classes, names, false, 2, 2, 2, 2);
	}

	static Block resnet34(int classes, TorchvisionNames names) {
		return build(classes, names, false, 3, 4, 6, 3);
	}

	static Block resnet50(int classes, TorchvisionNames names) {
		return build(classes, names, true, 3, 4, 6, 3);
	}

	static Block resnet101(int classes, TorchvisionNames names) {
		return build(classes, names, true, 3, 4, 23, 3);
	}

	static Block resnet152(int classes, TorchvisionNames names) {
		return build(classes, names, true, 3, 8, 36, 3);
	}

	private static Block build(int classes, TorchvisionNames names, boolean bottleneck, int... blocksPerStage) {
		SequentialBlock net = new SequentialBlock();
		names.stage("stem", net);
		net.add(names.name("conv1", conv(64, 7, 2, 3, false)))
			.add(names.name("bn1", batchNorm()))
			.add(Activation.reluBlock())
			.add(Layers.maxPool(3, 2, 1));
		int channels = 64;
		for (int stage = 0; stage < blocksPerStage.length; stage++) {
			int width = 64 << stage;
			int out = bottleneck ? width * 4 : width;
			names.stage("layer" + (stage + 1), net);
			for (int i = 0; i < blocksPerStage[stage]; i++) {
				String prefix = "layer" + (stage + 1) + "." + i + ".";
				int stride = (stage > 0 && i == 0) ? 2 : 1;
				Block residual = bottleneck ? bottleneck(names, prefix, width, out, stride)
						: basic(names, prefix, width, stride);
				Block shortcut = (stride != 1 || channels != out) ? projection(names, prefix, out, stride)
						: Blocks.identityBlock();
				net.add(sum(residual, shortcut));
				channels = out;
			}
		}
		names.endStages(net);
		return net.add(Layers.globalAvgPool()).add(names.name("fc", Layers.linear(classes)));
	}

	private static Block basic(TorchvisionNames names, String prefix, int width, int stride) {
		return new SequentialBlock().add(names.name(prefix + "conv1", conv(width, 3, stride, 1, false)))
			.add(names.name(prefix + "bn1", batchNorm()))
			.add(Activation.reluBlock())
			.add(names.name(prefix + "conv2", conv(width, 3, 1, 1, false)))
			.add(names.name(prefix + "bn2", batchNorm()));
	}

	private static Block bottleneck(TorchvisionNames names, String prefix, int width, int out, int stride) {
		return new SequentialBlock().add(names.name(prefix + "conv1", conv(width, 1, 1, 0, false)))
			.add(names.name(prefix + "bn1", batchNorm()))
			.add(Activation.reluBlock())
			.add(names.name(prefix + "conv2", conv(width, 3, stride, 1, false)))
			.add(names.name(prefix + "bn2", batchNorm()))
			.add(Activation.reluBlock())
			.add(names.name(prefix + "conv3", conv(out, 1, 1, 0, false)))
			.add(names.name(prefix + "bn3", batchNorm()));
	}

	private static Block projection(TorchvisionNames names, String prefix, int out, int stride) {
		return new SequentialBlock().add(names.name(prefix + "downsample.0", conv(out, 1, stride, 0, false)))
			.add(names.name(prefix + "downsample.1", batchNorm()));
	}

	private static Block sum(Block residual, Block shortcut) {
		return new ParallelBlock(
				outputs -> new NDList(
						Activation.relu(outputs.get(0).singletonOrThrow().add(outputs.get(1).singletonOrThrow()))),
				List.of(residual, shortcut));
	}

}
