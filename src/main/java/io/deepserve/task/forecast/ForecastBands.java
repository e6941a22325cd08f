package io.deepserve.task.forecast;

import java.util.List;
import java.util.Map;

/** The stored bands of a version ({@code forecast.bands}) applied to a forecast. */
public record ForecastBands(String method, boolean multiplicative, double[] lower, double[] upper) {

	public static final String ADDITIVE = "additive";

	public static final String MULTIPLICATIVE = "multiplicative";

	public static ForecastBands of(Map<String, Object> bands) {
		return new ForecastBands((String) bands.get("method"), MULTIPLICATIVE.equals(bands.get("scale")),
				doubles(bands.get("lower")), doubles(bands.get("upper")));
	}

	public double[] lower(double[] forecast, int steps) {
		return move(forecast, lower, steps);
	}

	public double[] upper(double[] forecast, int steps) {
		return move(forecast, upper, steps);
	}

	private double[] move(double[] forecast, double[] offsets, int steps) {
		double[] moved = new double[steps];
		for (int k = 0; k < steps; k++) {
			moved[k] = multiplicative ? forecast[k] * Math.exp(offsets[k]) : forecast[k] + offsets[k];
		}
		return moved;
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
