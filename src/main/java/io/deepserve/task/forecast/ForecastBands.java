package io.deepserve.task.forecast;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The stored bands of a version ({@code forecast.bands}) applied to a forecast. Current versions store
 * split-conformal quantiles per level and horizon step of {@code |residual| / sigma}, where sigma is the realised
 * volatility (root mean square of the one-step changes, log changes for multiplicative bands) over the newest
 * {@code volatilityLookback} changes of the history the forecast was made from: a turbulent history widens the band,
 * a calm one narrows it. Older versions store one pair of {@code lower}/{@code upper} offsets (5%/95% of their
 * holdout residuals), which serve level 0.9 only.
 */
public final class ForecastBands {

	public static final String ADDITIVE = "additive";

	public static final String MULTIPLICATIVE = "multiplicative";

	/** The levels a band is calibrated for, and so the ones {@code /forecast} takes. */
	public static final List<Double> LEVELS = List.of(0.8, 0.9, 0.95);

	public static final double DEFAULT_LEVEL = 0.9;

	private final String method;

	private final boolean multiplicative;

	private final int volatilityLookback;

	private final double volatilityFloor;

	private final Map<Double, double[]> levels;

	private final double[] lower;

	private final double[] upper;

	private ForecastBands(String method, boolean multiplicative, int volatilityLookback, double volatilityFloor,
			Map<Double, double[]> levels, double[] lower, double[] upper) {
		this.method = method;
		this.multiplicative = multiplicative;
		this.volatilityLookback = volatilityLookback;
		this.volatilityFloor = volatilityFloor;
		this.levels = levels;
		this.lower = lower;
		this.upper = upper;
	}

	public static ForecastBands of(Map<String, Object> bands) {
		boolean multiplicative = MULTIPLICATIVE.equals(bands.get("scale"));
		String method = (String) bands.get("method");
		if (bands.get("levels") instanceof Map<?, ?> stored) {
			Map<Double, double[]> levels = new LinkedHashMap<>();
			stored.forEach((level, quantiles) -> levels.put(Double.valueOf(level.toString()), doubles(quantiles)));
			return new ForecastBands(method, multiplicative, ((Number) bands.get("volatilityLookback")).intValue(),
					((Number) bands.get("volatilityFloor")).doubleValue(), levels, null, null);
		}
		return new ForecastBands(method, multiplicative, 0, 0, Map.of(DEFAULT_LEVEL, new double[0]),
				doubles(bands.get("lower")), doubles(bands.get("upper")));
	}

	/** The stored form of conformal bands. */
	public static Map<String, Object> conformal(String method, boolean multiplicative, int volatilityLookback,
			double volatilityFloor, Map<Double, double[]> quantiles) {
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("method", method);
		map.put("scale", multiplicative ? MULTIPLICATIVE : ADDITIVE);
		map.put("volatilityLookback", volatilityLookback);
		map.put("volatilityFloor", volatilityFloor);
		Map<String, Object> levels = new LinkedHashMap<>();
		quantiles.forEach((level, q) -> levels.put(level.toString(), java.util.Arrays.stream(q).boxed().toList()));
		map.put("levels", levels);
		return map;
	}

	public String method() {
		return method;
	}

	public boolean offers(double level) {
		return levels.containsKey(level);
	}

	public java.util.Set<Double> levels() {
		return levels.keySet();
	}

	/**
	 * @param forecast the forecast values, at least {@code steps}
	 * @param target the raw target column, oldest first
	 * @param end the first row after the history the forecast was made from
	 * @return {@code {lower, upper}}, {@code steps} values each
	 */
	public double[][] band(double[] forecast, int steps, double level, double[] target, int end) {
		double[][] band = new double[2][steps];
		if (lower != null) {
			for (int k = 0; k < steps; k++) {
				band[0][k] = move(forecast[k], lower[k]);
				band[1][k] = move(forecast[k], upper[k]);
			}
			return band;
		}
		double[] q = levels.get(level);
		double sigma = volatilityLookback == 0 ? 1
				: Math.max(volatilityFloor, volatility(target, end, volatilityLookback, multiplicative));
		for (int k = 0; k < steps; k++) {
			band[0][k] = move(forecast[k], -q[k] * sigma);
			band[1][k] = move(forecast[k], q[k] * sigma);
		}
		return band;
	}

	/**
	 * The root mean square of the {@code lookback} one-step changes into rows {@code end - lookback .. end - 1}
	 * (log changes when multiplicative), so it needs {@code lookback + 1} rows before {@code end}.
	 */
	public static double volatility(double[] target, int end, int lookback, boolean multiplicative) {
		double squares = 0;
		for (int row = end - lookback; row < end; row++) {
			double change = multiplicative ? Math.log(target[row] / target[row - 1]) : target[row] - target[row - 1];
			squares += change * change;
		}
		return Math.sqrt(squares / lookback);
	}

	private double move(double forecast, double offset) {
		return multiplicative ? forecast * Math.exp(offset) : forecast + offset;
	}

	private static double[] doubles(Object values) {
		List<?> list = (List<?>) values;
		double[] out = new double[list.size()];
		for (int i = 0; i < out.length; i++) {
			out[i] = ((Number) list.get(i)).doubleValue();
		}
		return out;
	}

}
