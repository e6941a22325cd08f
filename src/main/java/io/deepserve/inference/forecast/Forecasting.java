package io.deepserve.inference.forecast;

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
import io.deepserve.registry.Task;
import io.deepserve.task.forecast.ForecastCodec;

/**
 * Forecasting on the workload manager: an input is one encoded window ({@code window x features}, scaled as the
 * version's {@link ForecastCodec} says), an output the network's scaled {@code horizon} values. A batch becomes one
 * {@code (batch, window, features)} tensor in the predictor's per-call manager.
 */
@Component
public class Forecasting implements ServingTask<float[], float[]> {

	@Override
	public Task task() {
		return Task.FORECASTING;
	}

	@Override
	public BatchHandler<float[], float[]> newHandler(Model model, ModelVersion version) {
		ForecastCodec codec = ForecastCodec.of(version.forecast());
		Predictor<List<float[]>, float[][]> predictor = model
			.newPredictor(new BatchTranslator(codec.window(), codec.features(), codec.horizon()));
		return BatchHandler.of(predictor);
	}

	/**
	 * One: a forecaster is a few small matrix products per time step, which a second thread only slows with the
	 * waking and waiting around each (BENCHMARKS.md, "Forecast latency").
	 */
	@Override
	public int defaultThreads() {
		return 1;
	}

	@Override
	public float[] warmupInput(ModelVersion version) {
		ForecastCodec codec = ForecastCodec.of(version.forecast());
		return new float[codec.window() * codec.features()];
	}

	private record BatchTranslator(int window, int features, int horizon)
			implements Translator<List<float[]>, float[][]> {

		@Override
		public NDList processInput(TranslatorContext ctx, List<float[]> windows) {
			int each = window * features;
			float[] all = new float[windows.size() * each];
			for (int i = 0; i < windows.size(); i++) {
				System.arraycopy(windows.get(i), 0, all, i * each, each);
			}
			NDArray batch = ctx.getNDManager().create(all, new Shape(windows.size(), window, features));
			return new NDList(batch);
		}

		@Override
		public float[][] processOutput(TranslatorContext ctx, NDList output) {
			NDArray values = output.get(0);
			Shape shape = values.getShape();
			if (shape.dimension() != 2 || shape.get(1) != horizon) {
				throw new IllegalStateException("the model answers with shape " + shape + "; its version forecasts "
						+ horizon + " steps, so (batch, " + horizon + ") was expected");
			}
			float[] flat = values.toFloatArray();
			int n = (int) shape.get(0);
			float[][] rows = new float[n][];
			for (int i = 0; i < n; i++) {
				rows[i] = new float[horizon];
				System.arraycopy(flat, i * horizon, rows[i], 0, horizon);
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
