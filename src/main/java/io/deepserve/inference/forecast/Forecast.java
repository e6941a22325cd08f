package io.deepserve.inference.forecast;

import java.util.List;

/**
 * The answer of {@code POST /api/v1/models/{ref}/forecast}: the next {@code horizon} values after the series, each
 * with a band.
 *
 * @param bands how {@code lower} and {@code upper} were made, e.g. {@code holdout residual quantiles 5%/95%}
 */
public record Forecast(String model, List<Double> forecast, List<Double> lower, List<Double> upper, String bands,
		Timings timings) {

	/** Milliseconds spent waiting for a worker, checking and encoding the series, and running the network. */
	public record Timings(double queueMs, double preprocessMs, double inferenceMs) {
	}

}
