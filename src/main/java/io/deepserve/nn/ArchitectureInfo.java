package io.deepserve.nn;

/**
 * What a user may ask to train.
 *
 * @param name the architecture's name in the API, e.g. {@code resnet18} or {@code lstm}
 * @param task {@link Architectures#IMAGE_CLASSIFICATION} or {@link Architectures#FORECASTING}
 * @param defaultImageSize the square image size the network was designed for; {@code null} for forecasting
 * @param minImageSize the smallest square image the network accepts; {@code null} for forecasting
 * @param description one line for people choosing between architectures
 */
public record ArchitectureInfo(String name, String task, Integer defaultImageSize, Integer minImageSize,
		String description) {

	public boolean classifiesImages() {
		return Architectures.IMAGE_CLASSIFICATION.equals(task);
	}

}
