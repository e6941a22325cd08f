package io.deepserve.training.forecast;

import java.util.Set;

import ai.djl.training.tracker.ParameterTracker;

/** A fixed learning rate, times {@code baseFactor} for a fine-tuned base's parameters, so the head leads. */
record BaseRates(float rate, Set<String> baseParameterIds, float baseFactor) implements ParameterTracker {

	@Override
	public float getNewValue(String parameterId, int numUpdate) {
		return baseParameterIds.contains(parameterId) ? rate * baseFactor : rate;
	}

}
