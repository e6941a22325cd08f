package io.deepserve.inference;

import java.util.List;

import io.deepserve.registry.ModelVersion;

/**
 * What came back from a version, one output per input, with where the time went (milliseconds; queue and inference
 * are the slowest of the inputs).
 */
public record Inference<O>(ModelVersion version, List<O> outputs, double queueMs, double preprocessMs,
		double inferenceMs) {
}
