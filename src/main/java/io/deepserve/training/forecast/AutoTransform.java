package io.deepserve.training.forecast;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.deepserve.task.forecast.ForecastCodec;

/**
 * What {@code targetTransform: auto} becomes, decided on the training rows only. Log-returns when the target is
 * strictly positive there and either trends (the mean of the last fifth of the training rows is more than
 * {@value #TREND} times, or less than its inverse, the mean of the first fifth), changes scale (the mean absolute
 * one-step change of the last fifth is more than {@value #SCALE} times, or less than its inverse, that of the first
 * fifth) or wanders like a price (the variance ratio of its k-step to k one-step changes, k a twentieth of the
 * training rows, is at least {@value #WANDERS}: about 1 for a random walk, near 0 for a series that returns to a
 * level); none otherwise. A network trained on raw prices forecasts new highs as the old range (issue 20: -20% from
 * the last close on a daily index; the CAC and WMT at 31-38 times naive's error where their training rows neither
 * trended nor changed scale); on returns the level no longer matters. BENCHMARKS.md has the ratio over the real series
 * (0.42-1.13), 200 random walks (all at least 0.3) and the sine sample (0.14).
 */
final class AutoTransform {

	static final double TREND = 1.25;

	static final double SCALE = 1.5;

	static final double WANDERS = 0.3;

	/** @param reason why, in words, for the version's metrics */
	record Choice(String requested, String chosen, String reason) {

		Map<String, Object> toMap() {
			Map<String, Object> map = new LinkedHashMap<>();
			map.put("requested", requested);
			map.put("chosen", chosen);
			map.put("reason", reason);
			return map;
		}

	}

	private AutoTransform() {
	}

	/**
	 * One transform for all of a job's targets (a global model's are many): for one, the rule above; for several,
	 * log-returns when the rule gives it for at least half of them and none of them ever falls to 0 or below.
	 */
	static Choice choose(String requested, List<double[]> targets, int trainEnd) {
		if (targets.size() == 1 || !ForecastCodec.AUTO.equals(requested)) {
			return choose(requested, targets.get(0), trainEnd);
		}
		int returns = 0;
		for (double[] target : targets) {
			Choice each = choose(requested, target, trainEnd);
			if (firstNotPositive(target, trainEnd) >= 0) {
				return new Choice(requested, ForecastCodec.NONE, "a target holds values of 0 or below, " + each.reason());
			}
			returns += ForecastCodec.LOG_RETURNS.equals(each.chosen()) ? 1 : 0;
		}
		boolean most = 2 * returns >= targets.size();
		return new Choice(requested, most ? ForecastCodec.LOG_RETURNS : ForecastCodec.NONE, String.format(Locale.ROOT,
				"the rule chose log-returns for %d of the %d targets", returns, targets.size()));
	}

	/**
	 * @param requested the hyperparameter: {@code auto} is decided here, anything else is kept
	 * @param trainEnd the first row after the training part
	 */
	static Choice choose(String requested, double[] target, int trainEnd) {
		if (!ForecastCodec.AUTO.equals(requested)) {
			return new Choice(requested, requested, "as requested");
		}
		int n = Math.min(trainEnd, target.length);
		int row = firstNotPositive(target, trainEnd);
		if (row >= 0) {
			return new Choice(requested, ForecastCodec.NONE, "the target holds " + target[row]
					+ " (log-returns need values above 0)");
		}
		int fifth = n / 5;
		if (fifth < 2) {
			return new Choice(requested, ForecastCodec.NONE, "too few training rows to judge a trend");
		}
		double levelRatio = mean(target, 0, fifth) > 0 ? mean(target, n - fifth, n) / mean(target, 0, fifth) : 1;
		double firstMove = meanMove(target, 1, fifth);
		double lastMove = meanMove(target, n - fifth + 1, n);
		double moveRatio = firstMove > 0 ? lastMove / firstMove : lastMove > 0 ? Double.POSITIVE_INFINITY : 1;
		int lag = Math.max(2, n / 20);
		double varianceRatio = varianceRatio(target, n, lag);
		String figures = String.format(Locale.ROOT,
				"level of the last fifth of the training rows / first fifth %.3f, their mean absolute change %.3f, "
						+ "variance ratio at lag %d %.3f",
				levelRatio, moveRatio, lag, varianceRatio);
		if (outside(levelRatio, TREND) || outside(moveRatio, SCALE) || varianceRatio >= WANDERS) {
			String why = outside(levelRatio, TREND) ? "trending"
					: outside(moveRatio, SCALE) ? "changing scale" : "wandering like a price";
			return new Choice(requested, ForecastCodec.LOG_RETURNS, "positive and " + why + ": " + figures);
		}
		return new Choice(requested, ForecastCodec.NONE, "no trend, change of scale or wandering: " + figures);
	}

	/** The first training row at 0 or below (or not a number); -1 when there is none. */
	private static int firstNotPositive(double[] target, int trainEnd) {
		for (int row = 0; row < Math.min(trainEnd, target.length); row++) {
			if (!(target[row] > 0)) {
				return row;
			}
		}
		return -1;
	}

	private static boolean outside(double ratio, double bound) {
		return ratio > bound || ratio < 1 / bound;
	}

	private static double mean(double[] values, int from, int to) {
		double sum = 0;
		for (int i = from; i < to; i++) {
			sum += values[i];
		}
		return sum / (to - from);
	}

	/** var(x[t+lag] - x[t]) / (lag var(x[t+1] - x[t])) over the first n rows; 0 when they never change. */
	private static double varianceRatio(double[] values, int n, int lag) {
		double one = changeVariance(values, n, 1);
		return one > 0 ? changeVariance(values, n, lag) / (lag * one) : 0;
	}

	private static double changeVariance(double[] values, int n, int lag) {
		int count = n - lag;
		double sum = 0;
		double squares = 0;
		for (int t = 0; t < count; t++) {
			double change = values[t + lag] - values[t];
			sum += change;
			squares += change * change;
		}
		double mean = sum / count;
		return squares / count - mean * mean;
	}

	private static double meanMove(double[] values, int from, int to) {
		double sum = 0;
		for (int i = from; i < to; i++) {
			sum += Math.abs(values[i] - values[i - 1]);
		}
		return sum / (to - from);
	}

}
