package io.deepserve.training.forecast;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.deepserve.task.forecast.ForecastBands;

/**
 * Split-conformal prediction bands that adapt to volatility, calibrated on the validation windows and judged on the
 * untouched holdout. Each calibration window scores {@code |residual| / sigma}, sigma being the realised volatility
 * of the history it was forecast from ({@link ForecastBands#volatility}); the band of step k at level L is the
 * forecast moved by the {@code ceil((n + 1) L)}-th smallest score of step k times the sigma of the history at hand.
 * Log-return models err in proportion to the price, so theirs are in log ratios ({@code multiplicative}); raw-value
 * models' in differences.
 * <p>
 * The validation windows chose the epoch but were never trained on, so their residuals are out of sample; the
 * holdout, never used for anything but scoring, reports the coverage.
 */
final class Bands {

	/** Volatility is measured over at most this many one-step changes (about a month of business days). */
	static final int MAX_LOOKBACK = 20;

	/** A calm history's sigma is floored at this fraction of the calibration windows' median sigma. */
	static final double FLOOR = 0.1;

	private final Map<String, Object> stored;

	private final ForecastBands bands;

	private Bands(Map<String, Object> stored) {
		this.stored = stored;
		this.bands = ForecastBands.of(stored);
	}

	/**
	 * @param target the raw target column
	 * @param ends the calibration windows, each named by the first row it forecasts
	 * @param history the raw rows a forecast reads, of which the last ones measure the volatility
	 */
	static Bands fit(double[] target, int[] ends, List<double[]> actual, List<double[]> forecast,
			boolean multiplicative, int history) {
		int n = ends.length;
		int horizon = actual.get(0).length;
		int lookback = lookback(history);
		double[] sigmas = new double[n];
		for (int i = 0; i < n; i++) {
			sigmas[i] = lookback == 0 ? 1 : ForecastBands.volatility(target, ends[i], lookback, multiplicative);
		}
		double[] sortedSigmas = sigmas.clone();
		Arrays.sort(sortedSigmas);
		double floor = lookback == 0 ? 0 : FLOOR * sortedSigmas[n / 2];
		Map<Double, double[]> quantiles = new LinkedHashMap<>();
		for (double level : ForecastBands.LEVELS) {
			quantiles.put(level, new double[horizon]);
		}
		for (int k = 0; k < horizon; k++) {
			double[] scores = new double[n];
			for (int i = 0; i < n; i++) {
				double a = actual.get(i)[k];
				double f = forecast.get(i)[k];
				double residual = multiplicative ? Math.log(a / f) : a - f;
				double sigma = Math.max(floor, sigmas[i]);
				scores[i] = sigma > 0 ? Math.abs(residual) / sigma : 0;
			}
			Arrays.sort(scores);
			for (double level : ForecastBands.LEVELS) {
				// the conformal rank; with fewer than 1/(1-level) - 1 windows, the largest score is the best there is
				int rank = (int) Math.min(n, Math.ceil((n + 1) * level));
				quantiles.get(level)[k] = scores[rank - 1];
			}
		}
		String method = String.format(Locale.ROOT, "split-conformal |residual| / realised volatility of the last %d "
				+ "changes, calibrated on %d validation windows", lookback, n);
		return new Bands(ForecastBands.conformal(method, multiplicative, lookback, floor, quantiles));
	}

	/** Changes the history a forecast reads holds, capped: one fewer than its rows. */
	static int lookback(int history) {
		int changes = Math.min(MAX_LOOKBACK, history - 1);
		return changes >= 2 ? changes : 0;
	}

	/**
	 * The fraction of values inside their band, per level: overall and per horizon step.
	 * @param ends the windows scored, each named by the first row it forecasts
	 */
	Map<String, Object> coverage(double[] target, int[] ends, List<double[]> actual, List<double[]> forecast) {
		int horizon = actual.get(0).length;
		Map<String, Object> coverage = new LinkedHashMap<>();
		for (double level : ForecastBands.LEVELS) {
			long[] inside = new long[horizon];
			for (int i = 0; i < ends.length; i++) {
				double[][] band = bands.band(forecast.get(i), horizon, level, target, ends[i]);
				for (int k = 0; k < horizon; k++) {
					double a = actual.get(i)[k];
					inside[k] += a >= band[0][k] && a <= band[1][k] ? 1 : 0;
				}
			}
			long all = 0;
			List<Double> byHorizon = new ArrayList<>();
			for (int k = 0; k < horizon; k++) {
				all += inside[k];
				byHorizon.add((double) inside[k] / ends.length);
			}
			Map<String, Object> figures = new LinkedHashMap<>();
			figures.put("overall", (double) all / ((long) ends.length * horizon));
			figures.put("byHorizon", byHorizon);
			coverage.put(Double.toString(level), figures);
		}
		return coverage;
	}

	Map<String, Object> toMap() {
		return stored;
	}

}
