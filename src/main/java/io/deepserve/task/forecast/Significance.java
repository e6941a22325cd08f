package io.deepserve.task.forecast;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether a forecaster beats a baseline on the holdout by more than chance: the raw comparison of mean absolute
 * errors, and a one-sided {@link DieboldMariano} test of it, overall and horizon step by horizon step. A 0.2% lower
 * MAE on a few hundred overlapping windows is not evidence, so {@code beatsNaive} is the test's answer at the
 * stated {@code level} and the raw comparison is kept beside it ({@code beatsNaiveRaw}, {@code relativeMae}).
 * <p>
 * The decision uses absolute loss (the loss MAE and MASE rank by); the squared-loss p-value is reported beside it.
 * Overall, each origin's loss is the mean over its horizon steps, tested with the HAC lags of the full horizon.
 */
public final class Significance {

	static final String TEST = "Diebold-Mariano, one-sided, Harvey-Leybourne-Newbold correction, HAC variance "
			+ "over h-1 lags";

	private Significance() {
	}

	/** The top-level metrics: {@code beatsNaive}, its raw form, relative MAE, and the tests in detail. */
	public static Map<String, Object> metrics(List<double[]> actual, List<double[]> model, List<double[]> naive,
			List<double[]> seasonal, double level) {
		Map<String, Object> vsNaive = compare(actual, model, naive, level);
		Map<String, Object> vsSeasonal = compare(actual, model, seasonal, level);
		Map<String, Object> metrics = new LinkedHashMap<>();
		metrics.put("beatsNaive", vsNaive.get("significant"));
		metrics.put("beatsNaiveRaw", vsNaive.get("lowerMae"));
		metrics.put("relativeMae", vsNaive.get("relativeMae"));
		metrics.put("beatsSeasonalNaive", vsSeasonal.get("significant"));
		metrics.put("beatsSeasonalNaiveRaw", vsSeasonal.get("lowerMae"));
		metrics.put("relativeMaeSeasonal", vsSeasonal.get("relativeMae"));
		Map<String, Object> detail = new LinkedHashMap<>();
		detail.put("test", TEST);
		detail.put("loss", "absolute (pValueSquared: squared)");
		detail.put("level", level);
		detail.put("naive", vsNaive);
		detail.put("seasonalNaive", vsSeasonal);
		metrics.put("significance", detail);
		return metrics;
	}

	/** The model against one baseline: MAE ratio, and the test overall and per step. */
	public static Map<String, Object> compare(List<double[]> actual, List<double[]> model, List<double[]> baseline,
			double level) {
		int n = actual.size();
		int horizon = actual.get(0).length;
		double[] absModel = new double[n];
		double[] absBase = new double[n];
		double[] sqModel = new double[n];
		double[] sqBase = new double[n];
		for (int i = 0; i < n; i++) {
			for (int k = 0; k < horizon; k++) {
				double em = actual.get(i)[k] - model.get(i)[k];
				double eb = actual.get(i)[k] - baseline.get(i)[k];
				absModel[i] += Math.abs(em) / horizon;
				absBase[i] += Math.abs(eb) / horizon;
				sqModel[i] += em * em / horizon;
				sqBase[i] += eb * eb / horizon;
			}
		}
		Map<String, Object> figures = figures(absModel, absBase, sqModel, sqBase, horizon, level);
		List<Map<String, Object>> byHorizon = new ArrayList<>();
		for (int k = 0; k < horizon; k++) {
			double[] am = new double[n];
			double[] ab = new double[n];
			double[] sm = new double[n];
			double[] sb = new double[n];
			for (int i = 0; i < n; i++) {
				double em = actual.get(i)[k] - model.get(i)[k];
				double eb = actual.get(i)[k] - baseline.get(i)[k];
				am[i] = Math.abs(em);
				ab[i] = Math.abs(eb);
				sm[i] = em * em;
				sb[i] = eb * eb;
			}
			Map<String, Object> step = new LinkedHashMap<>();
			step.put("step", k + 1);
			step.putAll(figures(am, ab, sm, sb, k + 1, level));
			byHorizon.add(step);
		}
		figures.put("byHorizon", byHorizon);
		return figures;
	}

	private static Map<String, Object> figures(double[] absModel, double[] absBase, double[] sqModel,
			double[] sqBase, int h, double level) {
		DieboldMariano.Result absolute = DieboldMariano.test(absModel, absBase, h);
		DieboldMariano.Result squared = DieboldMariano.test(sqModel, sqBase, h);
		double maeModel = mean(absModel);
		double maeBase = mean(absBase);
		Map<String, Object> figures = new LinkedHashMap<>();
		figures.put("relativeMae", maeBase > 0 ? maeModel / maeBase : null);
		figures.put("lowerMae", maeModel < maeBase);
		figures.put("statistic", finite(absolute.statistic()));
		figures.put("pValue", absolute.pValue());
		figures.put("pValueSquared", squared.pValue());
		figures.put("significant", maeModel < maeBase && absolute.significant(level));
		return figures;
	}

	private static double mean(double[] values) {
		double sum = 0;
		for (double v : values) {
			sum += v;
		}
		return sum / values.length;
	}

	private static Double finite(double value) {
		return Double.isFinite(value) ? value : null;
	}

}
