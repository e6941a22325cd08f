package io.deepserve.inference.forecast;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.deepserve.registry.ModelVersion;

/**
 * What a version's own holdout backtest says against trusting it, read from its metrics: worse than the naive
 * forecast (MAE ratio above 1), or better but not significantly so. Imported versions have no backtest, and no
 * warnings.
 */
final class ForecastWarnings {

	private ForecastWarnings() {
	}

	static List<Forecast.Warning> of(ModelVersion version) {
		List<Forecast.Warning> warnings = new ArrayList<>();
		Map<String, Object> metrics = version.metrics();
		if (metrics == null) {
			return warnings;
		}
		Double relative = relativeMae(metrics);
		if (relative != null && relative >= 1) {
			warnings.add(new Forecast.Warning("worse_than_naive", String.format(Locale.ROOT, "on its holdout, "
					+ "%s's mean absolute error is %.3f times the naive forecast's (the last value repeated)",
					version.ref(), relative)));
		}
		else if (Boolean.FALSE.equals(metrics.get("beatsNaive")) && metrics.get("significance") instanceof Map<?, ?> s
				&& s.get("naive") instanceof Map<?, ?> naive) {
			warnings.add(new Forecast.Warning("not_significantly_better_than_naive", String.format(Locale.ROOT,
					"on its holdout, %s's mean absolute error is %.3f times the naive forecast's, which is not "
							+ "significant (Diebold-Mariano p = %.3f, level %s)",
					version.ref(), relative, ((Number) naive.get("pValue")).doubleValue(), s.get("level"))));
		}
		return warnings;
	}

	/** Stored by newer versions; computed from the backtest's MAEs for older ones. */
	private static Double relativeMae(Map<String, Object> metrics) {
		if (metrics.get("relativeMae") instanceof Number n) {
			return n.doubleValue();
		}
		if (metrics.get("backtest") instanceof Map<?, ?> backtest && backtest.get("model") instanceof Map<?, ?> model
				&& backtest.get("naive") instanceof Map<?, ?> naive && model.get("mae") instanceof Number m
				&& naive.get("mae") instanceof Number n && n.doubleValue() > 0) {
			return m.doubleValue() / n.doubleValue();
		}
		return null;
	}

}
