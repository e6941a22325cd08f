package io.deepserve.nn;

import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;

import static io.deepserve.nn.Layers.maxPool;

/**
 * AlexNet in torchvision's single-tower layout (Krizhevsky 2014, "One weird trick"), not DJL's d2l variant, and as
 * published (Krizhevsky, Sutskever and Hinton 2012). The adaptive pool to 6x6 keeps the classifier at 9216, 4096,
 * 4096, classes; three 3x3 stride-2 pools after an 11x11 stride-4 convolution need at least 63 pixels.
 */
final class AlexNet {

	static final int MIN_IMAGE_SIZE = 63;

	private AlexNet() {
	}

	/** Stages {@code conv1..conv5}, one per convolution, each with the max pool that follows it. */
	static Block alexnet(int classes, TorchvisionNames names) {
		SequentialBlock net = new SequentialBlock();
		names.stage("conv1", net);
		net.add(convRelu(names, "features.0", 64, 11, 4, 2)).add(maxPool(3, 2, 0));
		names.stage("conv2", net);
		net.add(convRelu(names, "features.3", 192, 5, 1, 2)).add(maxPool(3, 2, 0));
		names.stage("conv3", net);
		net.add(convRelu(names, "features.6", 384, 3, 1, 1));
		names.stage("conv4", net);
		net.add(convRelu(names, "features.8", 256, 3, 1, 1));
		names.stage("conv5", net);
		net.add(convRelu(names, "features.10", 256, 3, 1, 1)).add(maxPool(3, 2, 0));
		names.endStages(net);
		return net.add(new AdaptiveAvgPool2d(6))
			.add(Blocks.batchFlattenBlock())
			.add(Layers.dropout(0.5f))
			.add(names.name("classifier.1", Layers.linear(4096)))
			.add(Activation.reluBlock())
			.add(Layers.dropout(0.5f))
			.add(names.name("classifier.4", Layers.linear(4096)))
			.add(Activation.reluBlock())
			.add(names.name("classifier.6", Layers.linear(classes)));
	}

	/**
	 * The 2012 paper's network: 96, 256, 384, 384 and 256 filters; ReLU then local response normalisation after the
	 * first two convolutions; overlapping 3x3 stride-2 max pools; 4096, 4096 fully connected units each followed by
	 * dropout 0.5. The second, fourth and fifth convolutions see only their own GPU's half of the previous layer's
	 * maps (the paper's figure 2), so they are grouped in two; the third and the classifier see all. That is the
	 * paper's "60 million parameters" (60,965,224 at 1000 classes, as Caffe's reference model). The first
	 * convolution is padded by 2, so 224 pixels give the paper's 55x55 maps (it needs 227 without).
	 */
	static Block alexnetPaper(int classes, TorchvisionNames names) {
		SequentialBlock net = new SequentialBlock();
		names.stage("conv1", net);
		net.add(Layers.convRelu(96, 11, 4, 2)).add(LocalResponseNorm.alexNet()).add(maxPool(3, 2, 0));
		names.stage("conv2", net);
		net.add(Layers.withRelu(Layers.conv(256, 5, 1, 2, true, 2)))
			.add(LocalResponseNorm.alexNet())
			.add(maxPool(3, 2, 0));
		names.stage("conv3", net);
		net.add(Layers.convRelu(384, 3, 1, 1));
		names.stage("conv4", net);
		net.add(Layers.withRelu(Layers.conv(384, 3, 1, 1, true, 2)));
		names.stage("conv5", net);
		net.add(Layers.withRelu(Layers.conv(256, 3, 1, 1, true, 2))).add(maxPool(3, 2, 0));
		names.endStages(net);
		return net.add(new AdaptiveAvgPool2d(6))
			.add(Blocks.batchFlattenBlock())
			.add(Layers.linear(4096))
			.add(Activation.reluBlock())
			.add(Layers.dropout(0.5f))
			.add(Layers.linear(4096))
			.add(Activation.reluBlock())
			.add(Layers.dropout(0.5f))
			.add(Layers.linear(classes));
	}

	private static Block convRelu(TorchvisionNames names, String name, int filters, int kernel, int stride,
			int padding) {
		return Layers.withRelu(names.name(name, Layers.conv(filters, kernel, stride, padding, true)));
	}

}
