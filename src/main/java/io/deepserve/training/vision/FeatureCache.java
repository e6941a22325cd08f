package io.deepserve.training.vision;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

import io.deepserve.dataset.ImageFolder.Entry;
import io.deepserve.task.vision.ImageTensors;
import io.deepserve.training.JobCancelledException;

/**
 * Feature extraction's shortcut: when no base layer trains and images are not augmented, what the frozen base makes
 * of an image never changes during a job, so each training and validation image goes through it once, in batches,
 * and every epoch trains and validates the head on the stored features. They are kept as one float array, one row
 * per image, so a job holds {@code 4 * features * images} bytes; {@link #fits} says whether that is allowed.
 */
final class FeatureCache {

	private final Map<Entry, Integer> rows;

	private final float[] values;

	private final int features;

	private FeatureCache(Map<Entry, Integer> rows, float[] values, int features) {
		this.rows = rows;
		this.values = values;
		this.features = features;
	}

	/** Bytes the features of {@code images} images take. */
	static long bytes(long features, long images) {
		return 4L * features * images;
	}

	/** Whether the features of {@code images} images fit in {@code maxBytes} (and in one Java array). */
	static boolean fits(long features, long images, long maxBytes) {
		return bytes(features, images) <= maxBytes && features * images <= Integer.MAX_VALUE - 8;
	}

	/**
	 * Runs every image of {@code entries} through the frozen layers of {@code network}, {@code batchSize} at a time.
	 * @param features the width of the base's output for one image
	 * @param cancelled checked between batches: the first pass over a large dataset may take minutes
	 * @throws JobCancelledException once {@code cancelled} says so
	 */
	static FeatureCache compute(TransferBlock network, List<Entry> entries, DecodedImages images, ImageTensors tensors,
			int size, int batchSize, int features, NDManager manager, BooleanSupplier cancelled) {
		float[] values = new float[Math.multiplyExact(entries.size(), features)];
		Map<Entry, Integer> rows = new HashMap<>();
		for (int start = 0; start < entries.size(); start += batchSize) {
			if (cancelled.getAsBoolean()) {
				throw new JobCancelledException();
			}
			List<Entry> batch = entries.subList(start, Math.min(entries.size(), start + batchSize));
			try (NDManager scope = manager.newSubManager()) {
				NDArray pixels = ImageClassifierTrainer.pixels(scope, batch, images, tensors, null, size);
				float[] out = network.frozenFeatures(new ParameterStore(scope, false), pixels).toFloatArray();
				if (out.length != batch.size() * features) {
					throw new IllegalStateException("the base gave " + out.length + " values for " + batch.size()
							+ " images of " + features + " features");
				}
				System.arraycopy(out, 0, values, start * features, out.length);
			}
			for (int i = 0; i < batch.size(); i++) {
				rows.put(batch.get(i), start + i);
			}
		}
		return new FeatureCache(rows, values, features);
	}

	int features() {
		return features;
	}

	/** The stored features of {@code batch}, in its order, as a {@code (batch, features)} array of {@code scope}. */
	NDArray batch(NDManager scope, List<Entry> batch) {
		float[] data = new float[batch.size() * features];
		for (int i = 0; i < batch.size(); i++) {
			Integer row = rows.get(batch.get(i));
			if (row == null) {
				throw new IllegalArgumentException("no features stored for " + batch.get(i).name());
			}
			System.arraycopy(values, row * features, data, i * features, features);
		}
		return scope.create(data, new Shape(batch.size(), features));
	}

}
