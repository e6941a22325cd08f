package io.deepserve.training;

import java.util.Set;
import java.util.TreeSet;

import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.ParameterTracker;

import io.deepserve.error.InvalidInputException;

/**
 * A job's optimizer, described once: DJL's optimizer is built from it for the trainer's configuration (and steps
 * when the fused step cannot), and {@link FusedOptimizer} steps from it otherwise.
 *
 * @param name {@code adam}, {@code adamw} or {@code sgd} (momentum 0.9)
 * @param weightDecay decoupled from the gradient for {@code adamw}; added to the gradient (L2) for the others
 * @param clipGrad each gradient element is clamped to at most this before the update, as DJL's {@code optClipGrad}
 * does (from above only); negative: no clipping
 * @param rates the learning rate of each parameter at each update
 * @param fused step with {@link FusedOptimizer} where it loads ({@code deepserve.training.fused-optimizer}); false:
 * always DJL's optimizer
 */
public record OptimizerSettings(String name, float weightDecay, float clipGrad, ParameterTracker rates,
		boolean fused) {

	public static final Set<String> NAMES = Set.of("adam", "adamw", "sgd");

	static final float MOMENTUM = 0.9f;

	static final float BETA1 = 0.9f;

	static final float BETA2 = 0.999f;

	static final float EPSILON = 1e-8f;

	public static final float NO_CLIPPING = -1f;

	public OptimizerSettings {
		if (!NAMES.contains(name)) {
			throw new IllegalArgumentException("unknown optimizer " + name);
		}
	}

	/** Fused where it loads. */
	public OptimizerSettings(String name, float weightDecay, float clipGrad, ParameterTracker rates) {
		this(name, weightDecay, clipGrad, rates, true);
	}

	/** Fused where it loads, without gradient clipping. */
	public OptimizerSettings(String name, float weightDecay, ParameterTracker rates) {
		this(name, weightDecay, NO_CLIPPING, rates, true);
	}

	/** {@code weightDecay}'s default: 0.01 for AdamW, as PyTorch's; none for the others. */
	public static float defaultWeightDecay(String optimizer) {
		return "adamw".equals(optimizer) ? 0.01f : 0f;
	}

	/**
	 * Checks a job's {@code optimizer} and {@code weightDecay}: {@code 400 invalid_hyperparameter} for an unknown
	 * optimizer, {@code 400 invalid_weight_decay} for a decay below 0, at or above 1, or not a number.
	 */
	public static void require(String optimizer, float weightDecay) {
		if (!NAMES.contains(optimizer)) {
			throw new InvalidInputException("invalid_hyperparameter",
					"optimizer must be one of " + new TreeSet<>(NAMES));
		}
		if (!(weightDecay >= 0 && weightDecay < 1)) {
			throw new InvalidInputException("invalid_weight_decay",
					"weightDecay must be at least 0 and below 1, got " + weightDecay);
		}
	}

	/** DJL's own optimizer with these settings: one native update per parameter. */
	public Optimizer djl() {
		return switch (name) {
			case "sgd" -> Optimizer.sgd()
				.setLearningRateTracker(rates)
				.optMomentum(MOMENTUM)
				.optWeightDecays(weightDecay)
				.optClipGrad(clipGrad)
				.build();
			case "adamw" -> Optimizer.adamW()
				.optLearningRateTracker(rates)
				.optWeightDecays(weightDecay)
				.optClipGrad(clipGrad)
				.build();
			default -> Optimizer.adam()
				.optLearningRateTracker(rates)
				.optWeightDecays(weightDecay)
				.optClipGrad(clipGrad)
				.build();
		};
	}

}
