package io.deepserve.nn;

import java.util.ArrayList;
import java.util.List;

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

	static Block vgg11(int classes, boolean batchNorm, TorchvisionNames names) {
		return build(classes, batchNorm, names, 64, POOL, 128, POOL, 256, 256, POOL, 512, 512, POOL, 512, 512, POOL);
	}

	/**
	 * The paper's configuration A-LRN: A with local response normalisation (AlexNet's constants) after the first
	 * convolution; it has no parameters, so the count is A's. Not a torchvision network.
	 */
	static Block vgg11Lrn(int classes, TorchvisionNames names) {
		TorchvisionNames plain = new TorchvisionNames();
		SequentialBlock net = (SequentialBlock) vgg11(classes, false, plain);
		SequentialBlock withLrn = new SequentialBlock();
		List<Block> layers = new ArrayList<>(net.getChildren().values());
		withLrn.add(layers.get(0)).add(LocalResponseNorm.alexNet());
		layers.subList(1, layers.size()).forEach(withLrn::add);
		// the same stages, each but the first a layer later: the normalisation joins conv1
		List<Stage> stages = plain.stages();
		for (Stage stage : stages) {
			names.stage(stage.name(), stage.from() == 0 ? 0 : stage.from() + 1);
		}
		names.endStages(stages.get(stages.size() - 1).to() + 1);
		return withLrn;
	}

	static Block vgg13(int classes, boolean batchNorm, TorchvisionNames names) {
		return build(classes, batchNorm, names, 64, 64, POOL, 128, 128, POOL, 256, 256, POOL, 512, 512, POOL, 512,
				512, POOL);
	}

	static Block vgg16(int classes, boolean batchNorm, TorchvisionNames names) {
		return build(classes, batchNorm, names, 64, 64, POOL, 128, 128, POOL, 256, 256, 256, POOL, 512, 512, 512,
				POOL, 512, 512, 512, POOL);
	}

	static Block vgg19(int classes, boolean batchNorm, TorchvisionNames names) {
		return build(classes, batchNorm, names, 64, 64, POOL, 128, 128, POOL, 256, 256, 256, 256, POOL, 512, 512, 512,
				512, POOL, 512, 512, 512, 512, POOL);
	}

	/**
	 * torchvision numbers every module of {@code features}, ReLUs and pools included; its names follow suit. The
	 * stages {@code conv1..conv5} are the convolution groups, each ending in its max pool.
	 */
	private static Block build(int classes, boolean batchNorm, TorchvisionNames names, int... configuration) {
		SequentialBlock net = new SequentialBlock();
		int index = 0;
		int group = 1;
		names.stage("conv1", net);
		for (int filters : configuration) {
			if (filters == POOL) {
				net.add(Layers.maxPool(2, 2, 0));
				index++;
				if (++group <= 5) {
					names.stage("conv" + group, net);
				}
				continue;
			}
			SequentialBlock layer = new SequentialBlock()
				.add(names.name("features." + index++, Layers.conv(filters, 3, 1, 1, true)));
			if (batchNorm) {
				layer.add(names.name("features." + index++, Layers.batchNorm()));
			}
			net.add(layer.add(Activation.reluBlock()));
			index++;
		}
		names.endStages(net);
		return net.add(new AdaptiveAvgPool2d(7))
			.add(Blocks.batchFlattenBlock())
			.add(names.name("classifier.0", Layers.linear(4096)))
			.add(Activation.reluBlock())
			.add(Layers.dropout(0.5f))
			.add(names.name("classifier.3", Layers.linear(4096)))
			.add(Activation.reluBlock())
			.add(Layers.dropout(0.5f))
			.add(names.name("classifier.6", Layers.linear(classes)));
	}

}
