package io.deepserve.nn;

import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;

/**
 * VGG (Simonyan and Zisserman 2014) in torchvision's layout: 3x3 convolutions with bias, 2x2 max pools, then an
 * adaptive pool to 7x7 so that the classifier is 25088, 4096, 4096, classes whatever the image size. DJL's
 * {@code VGG} flattens whatever the features give, so its classifier changes size with the image.
 */
final class Vgg {

	/** Marks a max pool in a configuration. */
	private static final int POOL = 0;

	private Vgg() {
	}

	static Block vgg11(int classes) {
		return build(classes, 64, POOL, 128, POOL, 256, 256, POOL, 512, 512, POOL, 512, 512, POOL);
	}

	static Block vgg16(int classes) {
		return build(classes, 64, 64, POOL, 128, 128, POOL, 256, 256, 256, POOL, 512, 512, 512, POOL, 512, 512, 512,
				POOL);
	}

	private static Block build(int classes, int... configuration) {
		SequentialBlock net = new SequentialBlock();
		for (int filters : configuration) {
			net.add(filters == POOL ? Layers.maxPool(2, 2, 0) : Layers.convRelu(filters, 3, 1, 1));
		}
		return net.add(new AdaptiveAvgPool2d(7))
			.add(Blocks.batchFlattenBlock())
			.add(Layers.linear(4096))
			.add(Activation.reluBlock())
			.add(Layers.dropout(0.5f))
			.add(Layers.linear(4096))
			.add(Activation.reluBlock())
			.add(Layers.dropout(0.5f))
			.add(Layers.linear(classes));
	}

}
