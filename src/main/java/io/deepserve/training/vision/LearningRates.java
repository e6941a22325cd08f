package io.deepserve.training.vision;

import java.util.Set;

import ai.djl.training.tracker.ParameterTracker;

/**
 * The learning rate of every parameter at every update: the schedule's rate, times {@code baseFactor} for the
 * parameters of a fine-tuned base so that it moves more slowly than its new head.
 *
 * <ul>
 * <li>{@code fixed}: the same rate throughout;</li>
 * <li>{@code cosine}: half a cosine from the rate down to 1% of it at the last update;</li>
 * <li>{@code step}: a tenth of the rate after half of the updates, a hundredth after three quarters.</li>
 * </ul>
 */
public final class LearningRates implements ParameterTracker {

	public static final Set<String> SCHEDULES = Set.of("cosine", "step", "fixed");

	private static final float COSINE_FLOOR = 0.01f;

	private final float rate;

	private final String schedule;

	private final int totalUpdates;

	private final Set<String> baseParameterIds;

	private final float baseFactor;

	LearningRates(float rate, String schedule, int totalUpdates, Set<String> baseParameterIds, float baseFactor) {
		if (!SCHEDULES.contains(schedule)) {
			throw new IllegalArgumentException("unknown schedule " + schedule);
		}
		this.rate = rate;
		this.schedule = schedule;
		this.totalUpdates = Math.max(1, totalUpdates);
		this.baseParameterIds = baseParameterIds;
		this.baseFactor = baseFactor;
	}

	/** @param numUpdate the optimizer's count of updates to this parameter, from 1 */
	@Override
	public float getNewValue(String parameterId, int numUpdate) {
		float value = rate * scale(Math.min(1.0, (numUpdate - 1) / (double) totalUpdates));
		return baseParameterIds.contains(parameterId) ? value * baseFactor : value;
	}

	private float scale(double progress) {
		return switch (schedule) {
			case "cosine" -> (float) (COSINE_FLOOR + (1 - COSINE_FLOOR) * 0.5 * (1 + Math.cos(Math.PI * progress)));
			case "step" -> progress < 0.5 ? 1f : progress < 0.75 ? 0.1f : 0.01f;
			default -> 1f;
		};
	}

}
