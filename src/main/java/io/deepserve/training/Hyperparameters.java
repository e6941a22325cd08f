package io.deepserve.training;

import java.util.List;

/**
 * Training hyperparameters of every task; null means "the default" until {@link #withDefaults()}. Those from
 * {@code window} on are forecasting's.
 *
 * @param schedule the learning-rate schedule: {@code cosine} (the default), {@code step} or {@code fixed}
 * @param window past values a forecaster reads
 * @param horizon future values it predicts at once
 * @param features extra input columns read beside the target
 * @param targetTransform {@code none} (raw values) or {@code log-returns}
 * @param holdoutSplit the newest fraction of the series, kept for the final backtest
 * @param season the period of the seasonal-naive baseline, in rows
 */
public record Hyperparameters(Integer epochs, Integer batchSize, Float learningRate, String optimizer,
		Integer imageSize, Boolean augment, Float validationSplit, Integer earlyStoppingPatience, Long seed,
		String schedule, Integer window, Integer horizon, Integer hiddenSize, Integer layers, Float dropout,
		List<String> features, String targetTransform, Float holdoutSplit, Integer season) {

	public static final Hyperparameters NONE = new Hyperparameters(null, null, null, null, null, null, null, null, null,
			null, null, null, null, null, null, null, null, null, null);

	public Hyperparameters withDefaults() {
		return new Hyperparameters(or(epochs, 10), or(batchSize, 32), or(learningRate, 0.001f), or(optimizer, "adam"),
				or(imageSize, 64), or(augment, true), or(validationSplit, 0.2f), or(earlyStoppingPatience, 3),
				or(seed, 42L), or(schedule, "cosine"), or(window, 60), or(horizon, 1), or(hiddenSize, 64),
				or(layers, 2), or(dropout, 0f), or(features, List.of()), or(targetTransform, "none"),
				or(holdoutSplit, 0.15f), or(season, 7));
	}

	/** The same, with {@code imageSize} set where it was left out. */
	Hyperparameters withImageSizeIfMissing(int size) {
		return imageSize != null ? this : new Hyperparameters(epochs, batchSize, learningRate, optimizer, size, augment,
				validationSplit, earlyStoppingPatience, seed, schedule, window, horizon, hiddenSize, layers, dropout,
				features, targetTransform, holdoutSplit, season);
	}

	/** The same, with a forecasting base's network shape, horizon and transform set where they were left out. */
	public Hyperparameters withForecastBaseIfMissing(int window, int horizon, int hiddenSize, int layers,
			String targetTransform) {
		return new Hyperparameters(epochs, batchSize, learningRate, optimizer, imageSize, augment, validationSplit,
				earlyStoppingPatience, seed, schedule, or(this.window, window), or(this.horizon, horizon),
				or(this.hiddenSize, hiddenSize),
				or(this.layers, layers), dropout, features, or(this.targetTransform, targetTransform), holdoutSplit,
				season);
	}

	private static <T> T or(T value, T fallback) {
		return value != null ? value : fallback;
	}

}
