package io.deepserve.inference.vision;

import java.util.List;

import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
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

	private record BatchTranslator(int size, int classes) implements Translator<List<float[]>, float[][]> {

		@Override
		public NDList processInput(TranslatorContext ctx, List<float[]> images) {
			int each = 3 * size * size;
			float[] all = new float[images.size() * each];
			for (int i = 0; i < images.size(); i++) {
				System.arraycopy(images.get(i), 0, all, i * each, each);
			}
			NDArray batch = ctx.getNDManager().create(all, new Shape(images.size(), 3, size, size));
			return new NDList(batch);
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
