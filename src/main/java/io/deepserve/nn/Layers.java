package io.deepserve.nn;

import java.util.List;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;

/** The few layer shapes the image networks are built from, spelled once in torchvision's terms. */
final class Layers {

	private Layers() {
	}

	static Block conv(int filters, int kernel, int stride, int padding, boolean bias) {
		return conv(filters, kernel, stride, padding, bias, 1);
	}

	static Block conv(int filters, int kernel, int stride, int padding, boolean bias, int groups) {
		return Conv2d.builder()
			.setFilters(filters)
			.setKernelShape(new Shape(kernel, kernel))
			.optStride(new Shape(stride, stride))
			.optPadding(new Shape(padding, padding))
			.optBias(bias)
			.optGroups(groups)
			.build();
	}

	/** A convolution with bias followed by ReLU: the unit of VGG, AlexNet and GoogLeNet (no batch norm). */
	static SequentialBlock convRelu(int filters, int kernel, int stride, int padding) {
		return withRelu(conv(filters, kernel, stride, padding, true));
	}

	static SequentialBlock withRelu(Block layer) {
		return new SequentialBlock().add(layer).add(Activation.reluBlock());
	}

	/** Momentum 0.9 in DJL's convention is PyTorch's default momentum of 0.1. */
	static Block batchNorm() {
		return batchNorm(1e-5f);
	}

	static Block batchNorm(float epsilon) {
		return BatchNorm.builder().optEpsilon(epsilon).optMomentum(0.9f).build();
	}

	static Block maxPool(int kernel, int stride, int padding) {
		return Pool.maxPool2dBlock(new Shape(kernel, kernel), new Shape(stride, stride), new Shape(padding, padding));
	}

	/** PyTorch's {@code ceil_mode=True}: a last, partial window is pooled rather than dropped. */
	static Block maxPoolCeil(int kernel, int stride, int padding) {
		return Pool.maxPool2dBlock(new Shape(kernel, kernel), new Shape(stride, stride), new Shape(padding, padding),
				true);
	}

	static Block linear(int units) {
		return Linear.builder().setUnits(units).build();
	}

	static Block dropout(float rate) {
		return Dropout.builder().optRate(rate).build();
	}

	/** Global average pooling to a (batch, channels) matrix, which is what lets the networks take any size. */
	static SequentialBlock globalAvgPool() {
		return new SequentialBlock().add(Pool.globalAvgPool2dBlock()).add(Blocks.batchFlattenBlock());
	}

	/**
	 * {@link NDArrays#concat(NDList, int)} that keeps the autograd graph when there is one array: DJL answers a lone
	 * array with its {@code duplicate()}, a clone detached from the graph, so a network whose output went through it
	 * (a one-step seq2seq forecast, a pool to one cell) had no gradient ("element 0 of tensors does not require grad").
	 */
	static NDArray concat(NDList arrays, int axis) {
		return arrays.size() == 1 ? arrays.head() : NDArrays.concat(arrays, axis);
	}

	/** Runs the branches on the same input and concatenates their outputs along the channel axis. */
	static ParallelBlock concatChannels(List<Block> branches) {
		return new ParallelBlock(outputs -> {
			NDList heads = new NDList(outputs.size());
			outputs.forEach(output -> heads.add(output.singletonOrThrow()));
			return new NDList(concat(heads, 1));
		}, branches);
	}

}
