package io.deepserve.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * PyTorch's {@code adaptive_avg_pool2d} to a fixed {@code size x size}, which DJL lacks. It is what keeps the
 * classifier of VGG and AlexNet the same size whatever the image size: larger maps are averaged down, smaller
 * ones are repeated up. Output cell {@code i} averages rows {@code floor(i*h/size)} to {@code ceil((i+1)*h/size)},
 * exactly as PyTorch does; a rectangle's mean is the mean of its row means, so rows and columns are pooled apart.
 */
final class AdaptiveAvgPool2d extends AbstractBlock {

	private final int size;

	AdaptiveAvgPool2d(int size) {
		this.size = size;
	}

	@Override
	protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs, boolean training,
			PairList<String, Object> params) {
		NDArray x = inputs.singletonOrThrow();
		return new NDList(pool(pool(x, 2), 3));
	}

	private NDArray pool(NDArray x, int axis) {
		long length = x.getShape().get(axis);
		if (length == size) {
			return x;
		}
		NDList cells = new NDList(size);
		for (int i = 0; i < size; i++) {
			long start = Math.floorDiv(i * length, size);
			long end = -Math.floorDiv(-(i + 1) * length, size);
			NDIndex window = axis == 2 ? new NDIndex(":, :, {}:{}", start, end)
					: new NDIndex(":, :, :, {}:{}", start, end);
			cells.add(x.get(window).mean(new int[] { axis }, true));
		}
		return Layers.concat(cells, axis);
	}

	@Override
	public Shape[] getOutputShapes(Shape[] inputShapes) {
		Shape in = inputShapes[0];
		return new Shape[] { new Shape(in.get(0), in.get(1), size, size) };
	}

}
