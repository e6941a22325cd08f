package io.deepserve.training;

import java.util.Map;

/**
 * The body of {@code POST /api/v1/training-jobs}, stored with the job as given (defaults are applied when it runs).
 *
 * @param baseModel and {@code transfer}: accepted and stored, not yet used (training is from scratch)
 */
public record TrainingRequest(String model, String task, String architecture, String dataset, String baseModel,
		Map<String, Object> transfer, Hyperparameters hyperparameters, String device) {

	public static final String IMAGE_CLASSIFICATION = "image-classification";

	public static final String FORECASTING = "forecasting";

	/** The hyperparameters with every missing one filled in. */
	public Hyperparameters resolved() {
		return (hyperparameters != null ? hyperparameters : Hyperparameters.NONE).withDefaults();
	}

	public String taskOrDefault() {
		return task != null ? task : IMAGE_CLASSIFICATION;
	}

	public String deviceOrDefault() {
		return device != null ? device : "auto";
	}

}
