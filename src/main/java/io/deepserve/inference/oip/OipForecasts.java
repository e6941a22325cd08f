package io.deepserve.inference.oip;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.stereotype.Component;

import io.deepserve.inference.forecast.Forecaster;
import io.deepserve.registry.ModelVersion;
import io.deepserve.task.forecast.ForecastCodec;

/**
 * The Open Inference Protocol for forecasters. The input is {@code FP32 [N, history]} (or
 * {@code [N, history, features]} for a version that reads features) of raw values, oldest first, exactly as
 * {@code /forecast} takes them: {@code history} is the window, plus one for log-returns. The output is
 * {@code FP32 [N, horizon]} forecast values in the target's units.
 */
@Component
class OipForecasts {

	static final String OUTPUT = "forecast";

	private final Forecaster forecaster;

	OipForecasts(Forecaster forecaster) {
		this.forecaster = forecaster;
	}

	Map<String, Object> metadata(String ref, List<String> versions) {
		ModelVersion v = forecaster.resolve(ref);
		ForecastCodec codec = ForecastCodec.of(v.forecast());
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("name", v.name());
		body.put("versions", versions);
		body.put("platform", "djl_pytorch");
		body.put("inputs", List.of(Map.of("name", "series", "datatype", "FP32", "shape", inputShape(codec))));
		body.put("outputs", List.of(Map.of("name", OUTPUT, "datatype", "FP32", "shape",
				List.of(-1L, (long) codec.horizon()))));
		body.put("parameters", Map.of("task", v.task(), "version", v.version(), "forecast", v.forecast()));
		return body;
	}

	ModelVersion resolve(String ref) {
		return forecaster.resolve(ref);
	}

	/** Numbers in one input: the raw rows a forecast needs, times the columns of each. */
	long inputElements(ModelVersion v) {
		ForecastCodec codec = ForecastCodec.of(v.forecast());
		return (long) codec.historyNeeded() * codec.features();
	}

	Map<String, Object> ready(String ref) {
		ModelVersion v = forecaster.resolve(ref);
		return Map.of("name", v.name(), "version", Integer.toString(v.version()), "ready", true, "loaded",
				forecaster.isLoaded(v));
	}

	Map<String, Object> infer(String ref, TensorRequest request) {
		Forecaster.Forecasts result = forecaster.forecastMany(ref, v -> histories(request, v));
		ModelVersion v = result.version();
		int horizon = v.forecast().horizon();
		int n = result.forecasts().size();
		float[] data = new float[n * horizon];
		for (int i = 0; i < n; i++) {
			double[] forecast = result.forecasts().get(i);
			for (int k = 0; k < horizon; k++) {
				data[i * horizon + k] = (float) forecast[k];
			}
		}
		Map<String, Object> response = new LinkedHashMap<>();
		response.put("model_name", v.name());
		response.put("model_version", Integer.toString(v.version()));
		if (request.id() != null) {
			response.put("id", request.id());
		}
		response.put("outputs", List.of(Map.of("name", OUTPUT, "datatype", "FP32", "shape", List.of(n, horizon),
				"data", data)));
		response.put("parameters", Map.of("queue_ms", result.inference().queueMs(), "inference_ms",
				result.inference().inferenceMs()));
		return response;
	}

	private static List<Long> inputShape(ForecastCodec codec) {
		return codec.features() == 1 ? List.of(-1L, (long) codec.historyNeeded())
				: List.of(-1L, (long) codec.historyNeeded(), (long) codec.features());
	}

	private static List<double[][]> histories(TensorRequest request, ModelVersion v) {
		ForecastCodec codec = ForecastCodec.of(v.forecast());
		List<Long> expected = inputShape(codec);
		List<Long> shape = request.shape();
		if (!"FP32".equals(request.datatype())) {
			throw TensorRequest.invalid(v.ref() + " takes FP32 raw values, not " + request.datatype());
		}
		if (shape.size() != expected.size() || !shape.subList(1, shape.size()).equals(expected.subList(1,
				expected.size()))) {
			throw TensorRequest.invalid(v.ref() + " takes FP32 " + expected.toString().replace("-1", "N")
					+ " (its window of raw values" + (codec.logReturns() ? " plus one for the first log-return" : "")
					+ "); the shape was " + shape);
		}
		int n = shape.get(0).intValue();
		int rows = codec.historyNeeded();
		int features = codec.features();
		float[] all = request.floats(n * rows * features);
		List<double[][]> histories = new ArrayList<>(n);
		for (int i = 0; i < n; i++) {
			double[][] columns = new double[features][rows];
			for (int t = 0; t < rows; t++) {
				for (int c = 0; c < features; c++) {
					columns[c][t] = all[(i * rows + t) * features + c];
				}
			}
			histories.add(columns);
		}
		return histories;
	}

}
