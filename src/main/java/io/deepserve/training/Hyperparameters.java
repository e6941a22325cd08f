package io.deepserve.training;

/**
 * Image-classification hyperparameters; null means "the default" until {@link #withDefaults()}.
 *
 * @param schedule the learning-rate schedule: {@code cosine} (the default), {@code step} or {@code fixed}
 */
public record Hyperparameters(Integer epochs, Integer batchSize, Float learningRate, String optimizer,
		Integer imageSize, Boolean augment, Float validationSplit, Integer earlyStoppingPatience, Long seed,
		String schedule) {

	static final Hyperparameters NONE = new Hyperparameters(null, null, null, null, null, null, null, null, null,
			null);

	public Hyperparameters withDefaults() {
		return new Hyperparameters(or(epochs, 10), or(batchSize, 32), or(learningRate, 0.001f), or(optimizer, "adam"),
				or(imageSize, 64), or(augment, true), or(validationSplit, 0.2f), or(earlyStoppingPatience, 3),
				or(seed, 42L), or(schedule, "cosine"));
	}

	/** The same, with {@code imageSize} set where it was left out. */
	Hyperparameters withImageSizeIfMissing(int size) {
		return imageSize != null ? this : new Hyperparameters(epochs, batchSize, learningRate, optimizer, size, augment,
				validationSplit, earlyStoppingPatience, seed, schedule);
	}

	private static <T> T or(T value, T fallback) {
		return value != null ? value : fallback;
	}

}
