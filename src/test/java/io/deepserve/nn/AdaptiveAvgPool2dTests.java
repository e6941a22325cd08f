package io.deepserve.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AdaptiveAvgPool2dTests {

	@Test
	void averagesOverlappingWindowsAsPyTorchDoes() {
		try (NDManager manager = NDManager.newBaseManager()) {
			// a 5x5 map of 0..24 pooled to 3x3: rows and columns 0-1, 1-3, 3-4 (torch.nn.AdaptiveAvgPool2d(3))
			NDArray map = manager.arange(25f).reshape(1, 1, 5, 5);

			float[] pooled = pool(3, map, manager).toFloatArray();

			assertThat(pooled).containsExactly(3f, 4.5f, 6f, 10.5f, 12f, 13.5f, 18f, 19.5f, 21f);
		}
	}

	@Test
	void repeatsMapsSmallerThanItsSize() {
		try (NDManager manager = NDManager.newBaseManager()) {
			NDArray map = manager.create(new float[] { 1, 2 }).reshape(1, 2, 1, 1);

			NDArray pooled = pool(7, map, manager);

			assertThat(pooled.getShape()).isEqualTo(new Shape(1, 2, 7, 7));
			assertThat(pooled.get(0, 1).toFloatArray()).containsOnly(2f);
		}
	}

	private static NDArray pool(int size, NDArray map, NDManager manager) {
		AdaptiveAvgPool2d pool = new AdaptiveAvgPool2d(size);
		pool.initialize(manager, DataType.FLOAT32, map.getShape());
		NDArray pooled = pool.forward(new ParameterStore(manager, false), new NDList(map), false).singletonOrThrow();
		assertThat(pool.getOutputShapes(new Shape[] { map.getShape() })).containsExactly(pooled.getShape());
		return pooled;
	}

}
