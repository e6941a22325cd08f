package io.deepserve.inference.vision;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;

import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.Batchifier;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;

import org.springframework.stereotype.Component;

import io.deepserve.inference.BatchHandler;
import io.deepserve.inference.ServingTask;
import io.deepserve.registry.ModelVersion;
import io.deepserve.registry.NewModelVersion;

/**
 * Image classification on the workload manager: an input is one preprocessed CHW image, an output its class
 * probabilities in label order. A batch becomes one NCHW tensor; every NDArray lives in the predictor's
 * per-call manager and is freed when the call returns.
 */
@Component
public class ImageClassification implements ServingTask<float[], float[]> {

	@Override
	public String task() {
		return NewModelVersion.IMAGE_CLASSIFICATION;
	}

	@Override
	public BatchHandler<float[], float[]> newHandler(Model model, ModelVersion version) {
		Predictor<List<float[]>, float[][]> predictor = model
			.newPredictor(new BatchTranslator(version.preprocessing().imageSize(), version.labels().size()));
		return BatchHandler.of(predictor);
	}

	@Override
	public float[] warmupInput(ModelVersion version) {
		int size = version.preprocessing().imageSize();
		return new float[3 * size * size];
	}

	/**
	 * Owned by one predictor, so by one worker thread: the batch is written into a direct buffer that is reused
	 * from batch to batch and handed to PyTorch without a copy, instead of a new multi-megabyte Java array and a new
	 * direct buffer per batch (garbage that made the collector and the kernel compete with inference).
	 */
	private static final class BatchTranslator implements Translator<List<float[]>, float[][]> {

		private final int size;

		private final int classes;

		private ByteBuffer buffer = ByteBuffer.allocateDirect(0);

		BatchTranslator(int size, int classes) {
			this.size = size;
			this.classes = classes;
		}

		@Override
		public NDList processInput(TranslatorContext ctx, List<float[]> images) {
			int each = 3 * size * size;
			int bytes = images.size() * each * Float.BYTES;
			if (buffer.capacity() < bytes) {
				buffer = ByteBuffer.allocateDirect(bytes);
			}
			// a duplicate starts big-endian whatever the original's order; PyTorch reads native order
			ByteBuffer batch = buffer.duplicate().order(ByteOrder.nativeOrder());
			batch.clear().limit(bytes);
			FloatBuffer floats = batch.asFloatBuffer();
			for (float[] image : images) {
				floats.put(image);
			}
			return new NDList(ctx.getNDManager().create(batch, new Shape(images.size(), 3, size, size),
					DataType.FLOAT32));
		}

		@Override
		public float[][] processOutput(TranslatorContext ctx, NDList output) {
			NDArray scores = output.get(0);
			Shape shape = scores.getShape();
			if (shape.dimension() != 2 || shape.get(1) != classes) {
				throw new IllegalStateException("the model answers with shape " + shape + "; its version has "
						+ classes + " labels, so (batch, " + classes + ") was expected");
			}
			float[] flat = scores.toFloatArray();
			int n = (int) shape.get(0);
			float[][] rows = new float[n][];
			for (int i = 0; i < n; i++) {
				float[] row = new float[classes];
				System.arraycopy(flat, i * classes, row, 0, classes);
				rows[i] = Probabilities.of(row);
			}
			return rows;
		}

		@Override
		public Batchifier getBatchifier() {
			// the batch is already one tensor
			return null;
		}

	}

}
