package io.deepserve.inference.forecast;

import java.util.List;

/**
 * The answer of {@code POST /api/v1/models/{ref}/forecast}: the next {@code horizon} values after the series, each
 * with a band.
 *
 * @param bands how {@code lower} and {@code upper} were made
 * @param level the band's coverage level (0.8, 0.9 or 0.95); null without bands
 * @param dates the forecast rows' dates, when the request's or the version's dates follow a known frequency
 * @param warnings what a user should know before trusting the forecast (for example: worse than naive on holdout)
 */
public record Forecast(String model, List<Double> forecast, List<Double> lower, List<Double> upper, String bands,
		Double level, List<String> dates, List<Warning> warnings, Timings timings) {

	/** Milliseconds spent waiting for a worker, checking and encoding the series, and running the network. */
	public record Timings(double queueMs, double preprocessMs, double inferenceMs) {
	}

	/** @param code a stable word, such as {@code worse_than_naive} */
	public record Warning(String code, String detail) {
	}

}
