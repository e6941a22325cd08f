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
 * MobileNetV2 (Sandler et al. 2018) at width 1.0 in torchvision's layout: inverted residual blocks of a 1x1
 * expansion, a 3x3 depthwise convolution and a linear 1x1 projection, with ReLU6 and batch norm; DJL has none.
 */
final class MobileNetV2 {

	/** Expansion, output channels, repeats, first stride: the paper's Table 2. */
	private static final int[][] SETTINGS = { { 1, 16, 1, 1 }, { 6, 24, 2, 2 }, { 6, 32, 3, 2 }, { 6, 64, 4, 2 },
			{ 6, 96, 3, 1 }, { 6, 160, 3, 2 }, { 6, 320, 1, 1 } };

	private MobileNetV2() {
	}

	/**
	 * Stages: {@code stem}, then {@code bottleneck1..bottleneck7}, the rows of the paper's table (one output width
	 * each), then {@code conv_last}, the 1x1 convolution to 1280 channels.
	 */
	static Block mobilenetV2(int classes, TorchvisionNames names) {
		SequentialBlock net = new SequentialBlock();
		names.stage("stem", net);
		net.add(convBnRelu6(names, "features.0", 32, 3, 2, 1));
		int channels = 32;
		int index = 1;
		int row = 0;
		for (int[] setting : SETTINGS) {
			names.stage("bottleneck" + ++row, net);
			for (int i = 0; i < setting[2]; i++) {
				int stride = i == 0 ? setting[3] : 1;
				String prefix = "features." + index++ + ".conv.";
				net.add(invertedResidual(names, prefix, channels, setting[1], stride, setting[0]));
				channels = setting[1];
			}
		}
		names.stage("conv_last", net);
		net.add(convBnRelu6(names, "features." + index, 1280, 1, 1, 1));
		names.endStages(net);
		return net.add(Layers.globalAvgPool())
			.add(Layers.dropout(0.2f))
			.add(names.name("classifier.1", Layers.linear(classes)));
	}

	private static Block invertedResidual(TorchvisionNames names, String prefix, int in, int out, int stride,
			int expansion) {
		int hidden = in * expansion;
		SequentialBlock body = new SequentialBlock();
		int layer = 0;
		if (expansion != 1) {
			body.add(convBnRelu6(names, prefix + layer++, hidden, 1, 1, 1));
		}
		body.add(convBnRelu6(names, prefix + layer++, hidden, 3, stride, hidden))
			.add(names.name(prefix + layer++, conv(out, 1, 1, 0, false)))
			.add(names.name(prefix + layer, batchNorm()));
		if (stride != 1 || in != out) {
			return body;
		}
		return new ParallelBlock(
				outputs -> new NDList(outputs.get(0).singletonOrThrow().add(outputs.get(1).singletonOrThrow())),
				List.of(body, Blocks.identityBlock()));
	}

	/** Padding keeps the size at stride 1; {@code groups == filters} makes the convolution depthwise. */
	private static Block convBnRelu6(TorchvisionNames names, String prefix, int filters, int kernel, int stride,
			int groups) {
		return new SequentialBlock()
			.add(names.name(prefix + ".0", conv(filters, kernel, stride, (kernel - 1) / 2, false, groups)))
			.add(names.name(prefix + ".1", batchNorm()))
			.add(Activation.relu6Block());
	}

}
