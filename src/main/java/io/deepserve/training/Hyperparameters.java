package io.deepserve.training;

import java.util.List;

import io.deepserve.registry.ArchitectureOptions;
import io.deepserve.task.vision.Augmentation;

/**
 * Training hyperparameters of every task; null means "the default" until {@link #withDefaults()}. Those from
 * {@code window} on are forecasting's.
 *
 * @param schedule the learning-rate schedule: {@code cosine} (the default), {@code step} or {@code fixed}
 * @param window past values a forecaster reads
 * @param horizon future values it predicts at once
 * @param features extra input columns read beside the target
 * @param targetTransform {@code auto} (the default: log-returns for a positive series that trends or changes
 * scale), {@code none} (raw values) or {@code log-returns}
 * @param holdoutSplit the newest fraction of the series, kept for the final backtest
 * @param season the period of the seasonal-naive baseline, in rows
 * @param testSplit image classification: the fraction of each class held out of training and validation, to be
 * evaluated on once with the best epoch's model (0: none)
 * @param augmentation image classification: how {@code augment} augments; null for the defaults
 * @param significanceLevel the level of the test behind {@code beatsNaive} (0.05)
 * @param refit retrain the chosen recipe on all rows once evaluated (false)
 * @param missing what to do with empty cells of the columns read: {@code error} (the default), {@code drop} the
 * rows, or {@code ffill} (carry the last value forward)
 * @param growthRate image classification: DenseNet's growth rate k (null: the architecture's default, 32)
 * @param compression image classification: DenseNet's transition compression theta (null: 0.5)
 * @param weightDecay the optimizer's weight decay: decoupled for {@code adamw} (default 0.01), added to the gradient
 * (L2) for {@code adam} and {@code sgd} (default 0)
 */
public record Hyperparameters(Integer epochs, Integer batchSize, Float learningRate, String optimizer,
		Integer imageSize, Boolean augment, Float validationSplit, Integer earlyStoppingPatience, Long seed,
		String schedule, Integer window, Integer horizon, Integer hiddenSize, Integer layers, Float dropout,
		List<String> features, String targetTransform, Float holdoutSplit, Integer season,
		Float testSplit, Augmentation augmentation, Float significanceLevel, Boolean refit, String missing,
		Integer growthRate, Float compression, Float weightDecay) {

	public static final Hyperparameters NONE = new Hyperparameters(null, null, null, null, null, null, null, null, null,
			null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);

	public Hyperparameters withDefaults() {
		return new Hyperparameters(or(epochs, 10), or(batchSize, 32), or(learningRate, 0.001f), or(optimizer, "adam"),
				or(imageSize, 64), or(augment, true), or(validationSplit, 0.2f), or(earlyStoppingPatience, 3),
				or(seed, 42L), or(schedule, "cosine"), or(window, 60), or(horizon, 1), or(hiddenSize, 64),
				or(layers, 2), or(dropout, 0f), or(features, List.of()), or(targetTransform, "auto"),
				or(holdoutSplit, 0.15f), or(season, 7), or(testSplit, 0f), augmentation, or(significanceLevel, 0.05f),
				or(refit, false), or(missing, "error"), growthRate, compression,
				or(weightDecay, OptimizerSettings.defaultWeightDecay(or(optimizer, "adam"))));
	}

	/** The same, with {@code targetTransform} as decided (forecasting's {@code auto} is decided on the data). */
	public Hyperparameters withTargetTransform(String transform) {
		return new Hyperparameters(epochs, batchSize, learningRate, optimizer, imageSize, augment, validationSplit,
				earlyStoppingPatience, seed, schedule, window, horizon, hiddenSize, layers, dropout, features, transform,
				holdoutSplit, season, testSplit, augmentation, significanceLevel, refit, missing, growthRate,
				compression, weightDecay);
	}

	/** The same, with {@code imageSize} set where it was left out. */
	Hyperparameters withImageSizeIfMissing(int size) {
		return imageSize != null ? this : new Hyperparameters(epochs, batchSize, learningRate, optimizer, size, augment,
				validationSplit, earlyStoppingPatience, seed, schedule, window, horizon, hiddenSize, layers, dropout,
				features, targetTransform, holdoutSplit, season, testSplit, augmentation, significanceLevel, refit,
				missing, growthRate, compression, weightDecay);
	}

	/** The same, with a forecasting base's network shape, horizon and transform set where they were left out. */
	public Hyperparameters withForecastBaseIfMissing(int window, int horizon, int hiddenSize, int layers,
			String targetTransform) {
		return new Hyperparameters(epochs, batchSize, learningRate, optimizer, imageSize, augment, validationSplit,
				earlyStoppingPatience, seed, schedule, or(this.window, window), or(this.horizon, horizon),
				or(this.hiddenSize, hiddenSize),
				or(this.layers, layers), dropout, features, or(this.targetTransform, targetTransform), holdoutSplit,
				season, testSplit, augmentation, significanceLevel, refit, missing, growthRate, compression,
				weightDecay);
	}

	/** The network shape options given, for the architecture to check and apply. */
	public ArchitectureOptions architectureOptions() {
		return new ArchitectureOptions(growthRate, compression);
	}

	private static <T> T or(T value, T fallback) {
		return value != null ? value : fallback;
	}

}
