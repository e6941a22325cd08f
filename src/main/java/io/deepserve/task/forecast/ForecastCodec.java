package io.deepserve.task.forecast;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.deepserve.registry.ForecastSpec;

/**
 * Turns raw history into a forecaster's input and its output back into values, as the version's
 * {@link ForecastSpec} says. Training and serving both go through this one class, so the backtest measures exactly
 * what {@code /forecast} answers.
 * <p>
 * Columns are raw values, oldest first, the target first and then the extra features. With {@code log-returns} the
 * network sees {@code log(y[t] / y[t-1])} for the target, so it needs one raw value more than its window.
 */
public final class ForecastCodec {

	public static final String NONE = "none";

	public static final String LOG_RETURNS = "log-returns";

	/** Chosen at training time from the training rows; a version always stores {@code none} or {@code log-returns}. */
	public static final String AUTO = "auto";

	public static final List<String> TRANSFORMS = List.of(AUTO, NONE, LOG_RETURNS);

	private final int window;

	private final int horizon;

	private final boolean logReturns;

	private final double[] mean;

	private final double[] std;

	public ForecastCodec(int window, int horizon, String targetTransform, double[] mean, double[] std) {
		this.window = window;
		this.horizon = horizon;
		this.logReturns = LOG_RETURNS.equals(targetTransform);
		this.mean = mean.clone();
		this.std = std.clone();
	}

	/** An imported forecaster without a scaler takes its values unscaled. */
	public static ForecastCodec of(ForecastSpec spec) {
		Map<String, Object> scaler = spec.scaler();
		if (scaler == null) {
			int features = 1 + (spec.features() == null ? 0 : spec.features().size());
			double[] ones = new double[features];
			java.util.Arrays.fill(ones, 1);
			return new ForecastCodec(spec.window(), spec.horizon(), spec.targetTransform(), new double[features],
					ones);
		}
		return new ForecastCodec(spec.window(), spec.horizon(), spec.targetTransform(), doubles(scaler.get("mean")),
				doubles(scaler.get("std")));
	}

	/** The stored form of a standard scaler: one mean and one standard deviation per input column. */
	public static Map<String, Object> scaler(double[] mean, double[] std) {
		Map<String, Object> scaler = new LinkedHashMap<>();
		scaler.put("method", "standard");
		scaler.put("mean", boxed(mean));
		scaler.put("std", boxed(std));
		return scaler;
	}

	/** Raw rows a forecast needs: the window, plus the one a log-return is taken from. */
	public int historyNeeded() {
		return window + lag(logReturns);
	}

	public int window() {
		return window;
	}

	public int horizon() {
		return horizon;
	}

	public int features() {
		return mean.length;
	}

	/** The scaler's mean of input column {@code column} (0 is the target). */
	public double mean(int column) {
		return mean[column];
	}

	public double std(int column) {
		return std[column];
	}

	public boolean logReturns() {
		return logReturns;
	}

	/** 1 when the transform consumes a raw row before the first model row. */
	public static int lag(String targetTransform) {
		return lag(LOG_RETURNS.equals(targetTransform));
	}

	private static int lag(boolean logReturns) {
		return logReturns ? 1 : 0;
	}

	/**
	 * The unscaled network value of {@code column} at raw row {@code row} (for the target with log-returns, the
	 * return into that row, so {@code row >= 1}).
	 */
	public static double modelValue(double[][] columns, int column, int row, boolean logReturns) {
		if (column == 0 && logReturns) {
			return Math.log(columns[0][row] / columns[0][row - 1]);
		}
		return columns[column][row];
	}

	/**
	 * The network input that forecasts the rows from raw row {@code end} on: the {@code window} rows before it,
	 * scaled, row-major {@code (window, features)}.
	 */
	public float[] encode(double[][] columns, int end) {
		int features = mean.length;
		float[] input = new float[window * features];
		for (int t = 0; t < window; t++) {
			int row = end - window + t;
			for (int c = 0; c < features; c++) {
				input[t * features + c] = (float) ((modelValue(columns, c, row, logReturns) - mean[c]) / std[c]);
			}
		}
		return input;
	}

	/**
	 * The first {@code steps} forecast values from the network's scaled output.
	 * @param last the newest raw target value, which log-returns compound from
	 */
	public double[] decode(float[] output, double last, int steps) {
		double[] values = new double[steps];
		double level = last;
		for (int k = 0; k < steps; k++) {
			double value = output[k] * std[0] + mean[0];
			if (logReturns) {
				level = level * Math.exp(value);
				values[k] = level;
			}
			else {
				values[k] = value;
			}
		}
		return values;
	}

	private static double[] doubles(Object list) {
		if (!(list instanceof List<?> values)) {
			throw new IllegalStateException("the version's forecast.scaler has no mean/std lists");
		}
		double[] out = new double[values.size()];
		for (int i = 0; i < out.length; i++) {
			out[i] = ((Number) values.get(i)).doubleValue();
		}
		return out;
	}

	private static List<Double> boxed(double[] values) {
		List<Double> list = new ArrayList<>(values.length);
		for (double v : values) {
			list.add(v);
		}
		return list;
	}

}
