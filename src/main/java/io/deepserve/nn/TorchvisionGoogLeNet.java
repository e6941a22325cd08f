package io.deepserve.nn;

import java.util.List;

import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;

import static io.deepserve.nn.Layers.maxPoolCeil;

/**
 * torchvision's GoogLeNet, which differs from the paper's ({@link GoogLeNet}): every convolution is followed by
 * batch norm (epsilon 0.001) and has no bias, the "5x5" branch convolves 3x3, and pools use ceil mode. Built
 * without the auxiliary classifiers, which torchvision drops from its pretrained network too.
 */
final class TorchvisionGoogLeNet {

	private TorchvisionGoogLeNet() {
	}

	/**
	 * Stages {@code stem}, {@code inception3}, {@code inception4}, {@code inception5}, each with the pool after
	 * it; a transfer job that fine-tunes adds auxiliary classifiers after inception 4a and 4d, as the paper's has.
	 */
	static Block googlenet(int classes, TorchvisionNames names) {
		SequentialBlock net = new SequentialBlock();
		names.stage("stem", net);
		net.add(basicConv(names, "conv1", 64, 7, 2, 3))
			.add(maxPoolCeil(3, 2, 0))
			.add(basicConv(names, "conv2", 64, 1, 1, 0))
			.add(basicConv(names, "conv3", 192, 3, 1, 1))
			.add(maxPoolCeil(3, 2, 0));
		names.stage("inception3", net);
		net.add(inception(names, "inception3a", 64, 96, 128, 16, 32, 32))
			.add(inception(names, "inception3b", 128, 128, 192, 32, 96, 64))
			.add(maxPoolCeil(3, 2, 0));
		names.stage("inception4", net);
		net.add(inception(names, "inception4a", 192, 96, 208, 16, 48, 64));
		names.auxiliaryTap(net);
		net.add(inception(names, "inception4b", 160, 112, 224, 24, 64, 64))
			.add(inception(names, "inception4c", 128, 128, 256, 24, 64, 64))
			.add(inception(names, "inception4d", 112, 144, 288, 32, 64, 64));
		names.auxiliaryTap(net);
		net.add(inception(names, "inception4e", 256, 160, 320, 32, 128, 128)).add(maxPoolCeil(2, 2, 0));
		names.stage("inception5", net);
		net.add(inception(names, "inception5a", 256, 160, 320, 32, 128, 128))
			.add(inception(names, "inception5b", 384, 192, 384, 48, 128, 128));
		names.endStages(net);
		return net.add(Layers.globalAvgPool())
			.add(Layers.dropout(0.2f))
			.add(names.name("fc", Layers.linear(classes)));
	}

	private static Block inception(TorchvisionNames names, String name, int c1, int reduce3, int c3, int reduce5,
			int c5, int poolProjection) {
		String prefix = name + ".branch";
		return Layers.concatChannels(List.of(basicConv(names, prefix + "1", c1, 1, 1, 0),
				new SequentialBlock().add(basicConv(names, prefix + "2.0", reduce3, 1, 1, 0))
					.add(basicConv(names, prefix + "2.1", c3, 3, 1, 1)),
				new SequentialBlock().add(basicConv(names, prefix + "3.0", reduce5, 1, 1, 0))
					.add(basicConv(names, prefix + "3.1", c5, 3, 1, 1)),
				new SequentialBlock().add(maxPoolCeil(3, 1, 1))
					.add(basicConv(names, prefix + "4.1", poolProjection, 1, 1, 0))));
	}

	private static Block basicConv(TorchvisionNames names, String prefix, int filters, int kernel, int stride,
			int padding) {
		return new SequentialBlock()
			.add(names.name(prefix + ".conv", Layers.conv(filters, kernel, stride, padding, false)))
			.add(names.name(prefix + ".bn", Layers.batchNorm(1e-3f)))
			.add(Activation.reluBlock());
	}

}
