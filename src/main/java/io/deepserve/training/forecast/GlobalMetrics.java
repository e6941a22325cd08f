package io.deepserve.training.forecast;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.deepserve.registry.ForecastSpec;
import io.deepserve.training.Hyperparameters;
import io.deepserve.training.forecast.ForecastTrainer.Result;

/**
 * A global model's version from its per-series evaluations: each series keeps its own backtest, scaler and bands,
 * and the pooled figures summarise them in scale-free terms (MASE, and the model's MAE relative to naive).
 */
final class GlobalMetrics {

	/** Figures that are the same for every series, reported once. */
	private static final List<String> SHARED = List.of("bestEpoch", "bestValidationLoss", "split");

	private GlobalMetrics() {
	}

	/** @param perSeries each series' result as a single-series job would report it, in training order */
	static Result of(ForecastTrainer.Fit fit, Hyperparameters hp, Map<String, Result> perSeries) {
		Map<String, Map<String, Object>> specs = new LinkedHashMap<>();
		Map<String, Object> series = new LinkedHashMap<>();
		double modelMase = 0;
		double naiveMase = 0;
		double logRelative = 0;
		int beating = 0;
		for (Map.Entry<String, Result> entry : perSeries.entrySet()) {
			ForecastSpec spec = entry.getValue().spec();
			Map<String, Object> own = new LinkedHashMap<>();
			own.put("scaler", spec.scaler());
			own.put("bands", spec.bands());
			specs.put(entry.getKey(), own);
			Map<String, Object> metrics = new LinkedHashMap<>(entry.getValue().metrics());
			SHARED.forEach(metrics::remove);
			series.put(entry.getKey(), metrics);
			Map<String, Object> backtest = map(metrics.get("backtest"));
			Map<String, Object> model = map(backtest.get("model"));
			Map<String, Object> naive = map(backtest.get("naive"));
			modelMase += number(model, "mase");
			naiveMase += number(naive, "mase");
			logRelative += Math.log(number(model, "mae") / number(naive, "mae"));
			beating += number(model, "mae") < number(naive, "mae") ? 1 : 0;
		}
		int n = perSeries.size();
		Map<String, Object> pooled = new LinkedHashMap<>();
		pooled.put("series", n);
		pooled.put("modelMase", modelMase / n);
		pooled.put("naiveMase", naiveMase / n);
		pooled.put("relativeMae", Math.exp(logRelative / n));
		pooled.put("seriesBeatingNaive", beating);
		Result first = perSeries.values().iterator().next();
		Map<String, Object> metrics = new LinkedHashMap<>();
		metrics.put("bestEpoch", fit.epoch());
		metrics.put("bestValidationLoss", fit.loss());
		metrics.put("beatsNaive", modelMase < naiveMase);
		metrics.put("comparedOn", "mean holdout MASE over the series (relativeMae: geometric mean of model MAE / "
				+ "naive MAE)");
		metrics.put("split", first.metrics().get("split"));
		metrics.put("pooled", pooled);
		metrics.put("series", series);
		ForecastSpec spec = new ForecastSpec(hp.window(), hp.horizon(), null, List.of(), null, hp.targetTransform(),
				null, hp.hiddenSize(), hp.layers(), hp.dropout(), specs);
		return new Result(fit.dir(), spec, first.inputShape(), metrics);
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> map(Object value) {
		return (Map<String, Object>) value;
	}

	private static double number(Map<String, Object> map, String key) {
		return ((Number) map.get(key)).doubleValue();
	}

}
