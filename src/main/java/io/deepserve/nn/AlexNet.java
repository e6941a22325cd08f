package io.deepserve.nn;

import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;

import static io.deepserve.nn.Layers.convRelu;
import static io.deepserve.nn.Layers.maxPool;

/**
 * AlexNet in torchvision's single-tower layout (Krizhevsky 2014, "One weird trick"), not DJL's d2l variant. The
 * adaptive pool to 6x6 keeps the classifier at 9216, 4096, 4096, classes; three 3x3 stride-2 pools after an 11x11
 * stride-4 convolution need at least 63 pixels.
 */
final class AlexNet {

	static final int MIN_IMAGE_SIZE = 63;

	private AlexNet() {
	}

	static Block alexnet(int classes) {
		return new SequentialBlock().add(convRelu(64, 11, 4, 2))
			.add(maxPool(3, 2, 0))
			.add(convRelu(192, 5, 1, 2))
			.add(maxPool(3, 2, 0))
			.add(convRelu(384, 3, 1, 1))
			.add(convRelu(256, 3, 1, 1))
			.add(convRelu(256, 3, 1, 1))
			.add(maxPool(3, 2, 0))
			.add(new AdaptiveAvgPool2d(6))
			.add(Blocks.batchFlattenBlock())
			.add(Layers.dropout(0.5f))
			.add(Layers.linear(4096))
			.add(Activation.reluBlock())
			.add(Layers.dropout(0.5f))
			.add(Layers.linear(4096))
			.add(Activation.reluBlock())
			.add(Layers.linear(classes));
	}

}
