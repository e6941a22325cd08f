package io.deepserve.task.forecast;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores forecasts of the holdout against what happened, beside two baselines that any forecaster must beat to be
 * worth serving: the naive forecast (the last known value, repeated) and the seasonal-naive one (the value one
 * season before). Every figure is in the target's own units, overall and per horizon step.
 * <p>
 * MASE divides the MAE by the mean absolute one-step change over the training rows (Hyndman and Koehler 2006), so
 * the naive forecast's one-step MASE on the training data is 1. MAPE is in percent and skips actual values of 0.
 */
public final class Backtest {

	private final double[] target;

	private final int season;

	private final double scale;

	/**
	 * @param target the raw target column
	 * @param trainEnd the first raw row after the training part, where the MASE scale stops
	 */
	public Backtest(double[] target, int trainEnd, int season) {
		this.target = target;
		this.season = season;
		double sum = 0;
		for (int row = 1; row < trainEnd; row++) {
			sum += Math.abs(target[row] - target[row - 1]);
		}
		this.scale = sum / (trainEnd - 1);
	}

	/** The naive forecast for the sample starting at raw row {@code end}. */
	public double[] naive(int end, int horizon) {
		double[] forecast = new double[horizon];
		Arrays.fill(forecast, target[end - 1]);
		return forecast;
	}

	/** Step k (1-based) repeats the value of the last full season before {@code end} at the same phase. */
	public double[] seasonalNaive(int end, int horizon) {
		double[] forecast = new double[horizon];
		for (int k = 1; k <= horizon; k++) {
			int back = season * ((k - 1) / season + 1);
			forecast[k - 1] = target[Math.max(0, end - 1 + k - back)];
		}
		return forecast;
	}

	public double[] actual(int end, int horizon) {
		return Arrays.copyOfRange(target, end, end + horizon);
	}

	public int season() {
		return season;
	}

	/** Errors of one method over all samples: {@code rmse, mae, mape, mase} overall and {@code byHorizon}. */
	public Map<String, Object> score(List<double[]> actual, List<double[]> forecast) {
		int horizon = actual.get(0).length;
		Errors overall = new Errors();
		Errors[] steps = new Errors[horizon];
		for (int k = 0; k < horizon; k++) {
			steps[k] = new Errors();
		}
		for (int i = 0; i < actual.size(); i++) {
			for (int k = 0; k < horizon; k++) {
				overall.add(actual.get(i)[k], forecast.get(i)[k]);
				steps[k].add(actual.get(i)[k], forecast.get(i)[k]);
			}
		}
		Map<String, Object> scores = overall.figures(scale);
		List<Map<String, Object>> byHorizon = new ArrayList<>();
		for (int k = 0; k < horizon; k++) {
			Map<String, Object> step = new LinkedHashMap<>();
			step.put("step", k + 1);
			step.putAll(steps[k].figures(scale));
			byHorizon.add(step);
		}
		scores.put("byHorizon", byHorizon);
		return scores;
	}

	/** Running sums of one set of errors. */
	private static final class Errors {

		private double squares;

		private double absolute;

		private double percent;

		private long n;

		private long nonZero;

		void add(double actual, double forecast) {
			double e = actual - forecast;
			squares += e * e;
			absolute += Math.abs(e);
			n++;
			if (actual != 0) {
				percent += Math.abs(e / actual);
				nonZero++;
			}
		}

		Map<String, Object> figures(double scale) {
			Map<String, Object> figures = new LinkedHashMap<>();
			double mae = absolute / n;
			figures.put("rmse", Math.sqrt(squares / n));
			figures.put("mae", mae);
			figures.put("mape", nonZero == 0 ? null : 100 * percent / nonZero);
			figures.put("mase", scale > 0 ? mae / scale : null);
			return figures;
		}

	}

}
