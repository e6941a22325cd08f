package io.deepserve.inference.forecast;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import org.springframework.stereotype.Service;

import io.deepserve.config.DeepserveProperties;
import io.deepserve.inference.Inference;
import io.deepserve.inference.WorkloadManager;
import io.deepserve.registry.ForecastSpec;
import io.deepserve.registry.ModelVersion;
import io.deepserve.web.ApiException;

/**
 * Forecasts a series with a version's own scaler and transform, through the workload manager. Every value is checked
 * here, on the request thread, before anything reaches the engine.
 */
@Service
public class Forecaster {

	private final WorkloadManager manager;

	private final Forecasting task;

	private final int maxValues;

	public Forecaster(WorkloadManager manager, Forecasting task, DeepserveProperties properties) {
		this.manager = manager;
		this.task = task;
		this.maxValues = properties.inference().maxTensorElements();
	}

	/**
	 * @param series the history, oldest first: numbers, or rows {@code [target, feature, ...]} for a version that
	 * reads features
	 * @param horizon how many steps to forecast; null for all the version was trained for
	 */
	public Forecast forecast(String ref, JsonNode series, Integer horizon) {
		double[][][] columns = new double[1][][];
		Inference<float[]> result = manager.infer(ref, task, version -> {
			columns[0] = columns(series, version);
			ForecastCodec codec = ForecastCodec.of(version.forecast());
			steps(horizon, version.forecast());
			return List.of(codec.encode(columns[0], columns[0][0].length));
		});
		ModelVersion version = result.version();
		ForecastSpec spec = version.forecast();
		int steps = steps(horizon, spec);
		double[] target = columns[0][0];
		double[] forecast = ForecastCodec.of(spec).decode(result.outputs().get(0), target[target.length - 1], steps);
		List<Double> lower = null;
		List<Double> upper = null;
		String method = null;
		if (spec.bands() != null) {
			ForecastBands bands = ForecastBands.of(spec.bands());
			lower = boxed(bands.lower(forecast, steps));
			upper = boxed(bands.upper(forecast, steps));
			method = bands.method();
		}
		return new Forecast(version.ref(), boxed(forecast), lower, upper, method,
				new Forecast.Timings(result.queueMs(), result.preprocessMs(), result.inferenceMs()));
	}

	private static int steps(Integer horizon, ForecastSpec spec) {
		if (horizon == null) {
			return spec.horizon();
		}
		if (horizon < 1 || horizon > spec.horizon()) {
			throw ApiException.badRequest("invalid_horizon", "horizon must be between 1 and " + spec.horizon()
					+ ", the steps this version was trained to forecast; it was " + horizon);
		}
		return horizon;
	}

	/** The series as columns, target first, each holding finite numbers only. */
	private double[][] columns(JsonNode series, ModelVersion version) {
		ForecastSpec spec = version.forecast();
		ForecastCodec codec = ForecastCodec.of(spec);
		int features = codec.features();
		if (series == null || !series.isArray()) {
			throw invalid("series must be a JSON array of numbers, oldest first");
		}
		if ((long) series.size() * features > maxValues) {
			throw ApiException.tooLarge("the series holds more than deepserve.inference.max-tensor-elements ("
					+ maxValues + ") numbers; send the newest " + codec.historyNeeded() + " rows, which is all "
					+ version.ref() + " reads");
		}
		if (series.size() < codec.historyNeeded()) {
			throw ApiException.badRequest("series_too_short", version.ref() + " reads the last "
					+ codec.historyNeeded() + " values" + (codec.logReturns() ? " (its window plus one for the "
							+ "first log-return)" : "") + "; the series has " + series.size());
		}
		// only the newest rows are read: older ones are accepted, not checked or copied
		int from = series.size() - codec.historyNeeded();
		int n = codec.historyNeeded();
		double[][] columns = new double[features][n];
		for (int i = 0; i < n; i++) {
			JsonNode row = series.get(from + i);
			if (features == 1) {
				columns[0][i] = number(row, from + i);
			}
			else {
				if (!row.isArray() || row.size() != features) {
					throw invalid(version.ref() + " reads " + spec.target() + " and " + spec.features()
							+ ", so each series row must be an array of " + features + " numbers; row " + (from + i)
							+ " is " + row);
				}
				for (int c = 0; c < features; c++) {
					columns[c][i] = number(row.get(c), from + i);
				}
			}
		}
		if (codec.logReturns()) {
			for (int i = 0; i < n; i++) {
				if (!(columns[0][i] > 0)) {
					throw invalid(version.ref() + " forecasts log-returns, so its target values must be above 0; "
							+ "value " + (from + i) + " is " + columns[0][i]);
				}
			}
		}
		return columns;
	}

	private static double number(JsonNode node, int index) {
		if (node == null || !node.isNumber()) {
			throw invalid("series value " + index + " is " + node + ", not a number");
		}
		double value = node.doubleValue();
		if (!Double.isFinite(value)) {
			throw invalid("series value " + index + " is " + node.asText() + "; every value must be finite");
		}
		return value;
	}

	private static ApiException invalid(String detail) {
		return ApiException.badRequest("invalid_series", detail);
	}

	private static List<Double> boxed(double[] values) {
		return new ArrayList<>(Arrays.stream(values).boxed().toList());
	}

}
