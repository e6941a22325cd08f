package io.deepserve.nn;

import java.util.List;

import io.deepserve.registry.Task;

/**
 * What a user may ask to train.
 *
 * @param name the architecture's name in the API, e.g. {@code resnet18} or {@code lstm}
 * @param task what the network does
 * @param defaultImageSize the square image size the network was designed for; {@code null} for forecasting
 * @param minImageSize the smallest square image the network accepts; {@code null} for forecasting
 * @param description one line for people choosing between architectures
 * @param stages an image classifier's named stages in order, for a transfer job's {@code trainableStages} and
 * {@code cutAt}; empty for forecasting
 * @param options the shape options it takes as hyperparameters (DenseNet's growth rate and compression); usually
 * none
 */
public record ArchitectureInfo(String name, Task task, Integer defaultImageSize, Integer minImageSize,
		String description, List<String> stages, List<ArchitectureOption> options) {

	public ArchitectureInfo {
		stages = stages == null ? List.of() : List.copyOf(stages);
		options = options == null ? List.of() : List.copyOf(options);
	}

	public ArchitectureInfo(String name, Task task, Integer defaultImageSize, Integer minImageSize,
			String description) {
		this(name, task, defaultImageSize, minImageSize, description, List.of(), List.of());
	}

	public boolean classifiesImages() {
		return task == Task.IMAGE_CLASSIFICATION;
	}

}
