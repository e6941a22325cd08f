package io.deepserve.training.forecast;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;

import io.deepserve.task.forecast.ForecastBands;

/**
 * Prediction bands from the holdout residuals of the chosen epoch, per horizon step: the band of step k is the
 * forecast moved by the lower and upper quantiles of the errors step k made on the holdout. Log-return models err
 * in proportion to the price, so theirs are ratios ({@code multiplicative}); raw-value models' are differences.
 */
record Bands(boolean multiplicative, double lowerQuantile, double upperQuantile, double[] lower, double[] upper) {

	static Bands fit(List<double[]> actual, List<double[]> forecast, boolean multiplicative, double lowerQuantile,
			double upperQuantile) {
		int horizon = actual.get(0).length;
		double[] lower = new double[horizon];
		double[] upper = new double[horizon];
		for (int k = 0; k < horizon; k++) {
			double[] residuals = new double[actual.size()];
			for (int i = 0; i < residuals.length; i++) {
				double a = actual.get(i)[k];
				double f = forecast.get(i)[k];
				residuals[i] = multiplicative ? Math.log(a / f) : a - f;
			}
			Arrays.sort(residuals);
			lower[k] = quantile(residuals, lowerQuantile);
			upper[k] = quantile(residuals, upperQuantile);
		}
		return new Bands(multiplicative, lowerQuantile, upperQuantile, lower, upper);
	}

	/** The fraction of holdout values inside their band: near the quantiles' spread by construction. */
	double coverage(List<double[]> actual, List<double[]> forecast) {
		ForecastBands bands = ForecastBands.of(toMap());
		long inside = 0;
		long all = 0;
		for (int i = 0; i < actual.size(); i++) {
			double[] lo = bands.lower(forecast.get(i), lower.length);
			double[] hi = bands.upper(forecast.get(i), upper.length);
			for (int k = 0; k < lower.length; k++) {
				double a = actual.get(i)[k];
				inside += a >= lo[k] && a <= hi[k] ? 1 : 0;
				all++;
			}
		}
		return (double) inside / all;
	}

	Map<String, Object> toMap() {
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("method", String.format(Locale.ROOT, "holdout residual quantiles %.0f%%/%.0f%%", 100 * lowerQuantile,
				100 * upperQuantile));
		map.put("scale", multiplicative ? ForecastBands.MULTIPLICATIVE : ForecastBands.ADDITIVE);
		map.put("lower", list(lower));
		map.put("upper", list(upper));
		return map;
	}

	private static double quantile(double[] sorted, double q) {
		double position = q * (sorted.length - 1);
		int below = (int) Math.floor(position);
		int above = Math.min(sorted.length - 1, below + 1);
		return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
	}

	private static List<Double> list(double[] values) {
		List<Double> list = new ArrayList<>(values.length);
		for (double v : values) {
			list.add(v);
		}
		return list;
	}

}
