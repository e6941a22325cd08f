package io.deepserve.task.vision;

import java.util.List;

import io.deepserve.error.InvalidInputException;

/**
 * How training images are augmented, the {@code augmentation} hyperparameter; a field left out keeps its default,
 * and {@code augment: false} turns everything off. The defaults are what deepserve did before the object existed.
 *
 * @param crop a random crop of the image, resized to the square; default {@code scale [0.6, 1.0]}, aspect kept
 * @param flip a horizontal flip of every other image on average; default true
 * @param colorJitter brightness, contrast and saturation each scaled by a random factor in [0.8, 1.2]; default true
 * @param pcaColor AlexNet's colour augmentation: each image shifted along the principal components of the training
 * split's RGB covariance, by {@code alpha_i * lambda_i} with {@code alpha_i ~ N(0, 0.1)}; default false
 */
public record Augmentation(Crop crop, Boolean flip, Boolean colorJitter, Boolean pcaColor) {

	/** Everything at its default. */
	public static final Augmentation DEFAULT = new Augmentation(null, null, null, null);

	/** The widest aspect ratio a crop may ask for, either way. */
	static final double MAX_RATIO = 10;

	/**
	 * The crop's share of the image's area, drawn uniformly from {@code scale}, and its width over height, drawn
	 * log-uniformly from {@code ratio} (torchvision's {@code RandomResizedCrop}); without {@code ratio} the crop has
	 * the image's own aspect ratio.
	 */
	public record Crop(List<Double> scale, List<Double> ratio) {

		static final List<Double> DEFAULT_SCALE = List.of(0.6, 1.0);

		public List<Double> scaleOrDefault() {
			return scale != null ? scale : DEFAULT_SCALE;
		}

	}

	public Crop cropOrDefault() {
		return crop != null ? crop : new Crop(null, null);
	}

	public boolean flipOrDefault() {
		return flip == null || flip;
	}

	public boolean colorJitterOrDefault() {
		return colorJitter == null || colorJitter;
	}

	public boolean pcaColorOrDefault() {
		return pcaColor != null && pcaColor;
	}

	/**
	 * The settings training applies: none when {@code augment} is false, else {@code augmentation} with its defaults.
	 * @throws InvalidInputException {@code 400 invalid_augmentation} for a range that is not one, or augmentation
	 * settings beside {@code augment: false}
	 */
	public static Augmentation require(boolean augment, Augmentation augmentation) {
		if (augmentation == null) {
			return DEFAULT;
		}
		if (!augment) {
			throw invalid("augmentation is set, but augment is false, which turns all augmentation off");
		}
		Crop crop = augmentation.cropOrDefault();
		List<Double> scale = crop.scaleOrDefault();
		requirePair("crop.scale", scale);
		if (!(scale.get(0) > 0 && scale.get(0) <= scale.get(1) && scale.get(1) <= 1)) {
			throw invalid("crop.scale must be [min, max] with 0 < min <= max <= 1, not " + scale);
		}
		if (crop.ratio() != null) {
			requirePair("crop.ratio", crop.ratio());
			double low = crop.ratio().get(0);
			double high = crop.ratio().get(1);
			if (!(low >= 1 / MAX_RATIO && low <= high && high <= MAX_RATIO)) {
				throw invalid("crop.ratio must be [min, max] with " + 1 / MAX_RATIO + " <= min <= max <= " + MAX_RATIO
						+ ", not " + crop.ratio());
			}
		}
		return augmentation;
	}

	private static void requirePair(String name, List<Double> values) {
		if (values.size() != 2 || values.stream().anyMatch(java.util.Objects::isNull)) {
			throw invalid(name + " must be two numbers, [min, max]");
		}
	}

	private static InvalidInputException invalid(String detail) {
		return new InvalidInputException("invalid_augmentation", detail);
	}

}
