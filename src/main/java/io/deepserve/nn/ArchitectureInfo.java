package io.deepserve.nn;

import io.deepserve.registry.Task;

/**
 * What a user may ask to train.
 *
 * @param name the architecture's name in the API, e.g. {@code resnet18} or {@code lstm}
 * @param task what the network does
 * @param defaultImageSize the square image size the network was designed for; {@code null} for forecasting
 * @param minImageSize the smallest square image the network accepts; {@code null} for forecasting
 * @param description one line for people choosing between architectures
 */
public record ArchitectureInfo(String name, Task task, Integer defaultImageSize, Integer minImageSize,
		String description) {

	public boolean classifiesImages() {
		return task == Task.IMAGE_CLASSIFICATION;
	}

}
