package io.deepserve.task.forecast;

import java.util.Map;

import io.deepserve.error.InvalidInputException;
import io.deepserve.registry.ForecastSpec;

/**
 * Which scaler reads a given series for a version. A single-series forecaster has one; a global model (see
 * {@link ForecastSpec#series()}) has one per series it was trained on, chosen by name, and scales a series it has
 * never seen on that series' own window, so that any positive price series can be forecast in its own units.
 */
public final class SeriesCodec {

	private SeriesCodec() {
	}

	/**
	 * @param target the series asked for by name, or null for the version's own (a single-series model) or a new
	 * series (a global model)
	 * @param columns the raw history, target first, exactly {@link ForecastCodec#historyNeeded()} rows
	 * @throws InvalidInputException {@code 400 unknown_target} for a name the version was not trained on
	 */
	public static ForecastCodec of(ForecastSpec spec, String target, double[][] columns) {
		requireTarget(spec, target);
		if (!spec.global()) {
			return ForecastCodec.of(spec);
		}
		if (target != null) {
			Map<String, Object> scaler = spec.series().get(target);
			return ForecastCodec.of(new ForecastSpec(spec.window(), spec.horizon(), target, spec.features(),
					scaler(scaler), spec.targetTransform(), null));
		}
		return ownWindow(spec, columns);
	}

	/** The bands of the series asked for; null for a new series given to a global model, which has none. */
	public static Map<String, Object> bands(ForecastSpec spec, String target) {
		if (!spec.global()) {
			return spec.bands();
		}
		return target == null ? null : bands(spec.series().get(target));
	}

	/** @throws InvalidInputException {@code 400 unknown_target} unless the version forecasts {@code target} */
	public static void requireTarget(ForecastSpec spec, String target) {
		if (target == null) {
			return;
		}
		if (spec.global() ? !spec.series().containsKey(target) : !target.equals(spec.target())) {
			throw new InvalidInputException("unknown_target", "this version forecasts "
					+ (spec.global() ? "the series " + spec.series().keySet() + " by name, or a new series "
							+ "without a target" : "'" + spec.target() + "' only")
					+ "; it was not trained on '" + target + "'");
		}
	}

	/** A standard scaler fitted on the window's own model values (log-returns where the version uses them). */
	static ForecastCodec ownWindow(ForecastSpec spec, double[][] columns) {
		boolean logReturns = ForecastCodec.LOG_RETURNS.equals(spec.targetTransform());
		int window = spec.window();
		int rows = columns[0].length;
		double sum = 0;
		for (int row = rows - window; row < rows; row++) {
			sum += ForecastCodec.modelValue(columns, 0, row, logReturns);
		}
		double mean = sum / window;
		double squares = 0;
		for (int row = rows - window; row < rows; row++) {
			double d = ForecastCodec.modelValue(columns, 0, row, logReturns) - mean;
			squares += d * d;
		}
		double std = Math.sqrt(squares / window);
		return new ForecastCodec(window, spec.horizon(), spec.targetTransform(), new double[] { mean },
				new double[] { std > 1e-12 ? std : 1 });
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> scaler(Map<String, Object> series) {
		return (Map<String, Object>) series.get("scaler");
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> bands(Map<String, Object> series) {
		return (Map<String, Object>) series.get("bands");
	}

}
