package io.deepserve.training;

/** Image-classification hyperparameters; null means "the default" until {@link #withDefaults()}. */
public record Hyperparameters(Integer epochs, Integer batchSize, Float learningRate, String optimizer,
		Integer imageSize, Boolean augment, Float validationSplit, Integer earlyStoppingPatience, Long seed) {

	static final Hyperparameters NONE = new Hyperparameters(null, null, null, null, null, null, null, null, null);

	public Hyperparameters withDefaults() {
		return new Hyperparameters(or(epochs, 10), or(batchSize, 32), or(learningRate, 0.001f), or(optimizer, "adam"),
				or(imageSize, 64), or(augment, true), or(validationSplit, 0.2f), or(earlyStoppingPatience, 3),
				or(seed, 42L));
	}

	private static <T> T or(T value, T fallback) {
		return value != null ? value : fallback;
	}

}
