package io.deepserve.inference.vision;

import java.util.List;

/** The answer of {@code POST /classify}. */
public record Classification(String model, List<Prediction> predictions, Timings timings) {

	public record Prediction(String label, float probability) {
	}

	/** Milliseconds waiting for a worker, decoding and preprocessing the image, and running its batch. */
	public record Timings(double queueMs, double preprocessMs, double inferenceMs) {
	}

}
