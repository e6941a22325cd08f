package io.deepserve.training;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonFormat;

import io.deepserve.error.InvalidInputException;
import io.deepserve.registry.Task;

/**
 * The body of {@code POST /api/v1/training-jobs}, stored with the job as given but for a base model, which is pinned
 * to its version (the remaining defaults are applied when it runs).
 *
 * @param baseModel a registered image classifier to start from ({@code name}, {@code name:7} or
 * {@code name@alias}); pinned to {@code name:version} when the job is queued. Without it, training is from scratch
 * @param architecture may be left out with a base model: the new model has the base's
 * @param target forecasting: the series column to forecast
 * @param targets forecasting a global model: the columns to train one forecaster on, or {@code "*"} (a lone string
 * is read as a list of one) for every numeric column; exclusive with {@code target}
 * @param precision {@code fp32} (the default) or {@code bf16}: mixed precision, bf16 forward and backward on float32
 * weights (image classifiers)
 */
public record TrainingRequest(String model, String task, String architecture, String dataset, String baseModel,
		Transfer transfer, Hyperparameters hyperparameters, String device, String target,
		@JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> targets, String precision) {

	public static final String FP32 = "fp32";

	public static final String BF16 = "bf16";

	static final List<String> PRECISIONS = List.of(FP32, BF16);

	/** {@code targets} that stands for every numeric column of the dataset. */
	public static final String ALL_COLUMNS = "*";

	/** The constructor JSON binds to, named so Jackson never picks the shorter one below. */
	@JsonCreator
	public TrainingRequest {
	}

	public TrainingRequest(String model, String task, String architecture, String dataset, String baseModel,
			Transfer transfer, Hyperparameters hyperparameters, String device, String target) {
		this(model, task, architecture, dataset, baseModel, transfer, hyperparameters, device, target, null, null);
	}

	/**
	 * How a base model is used.
	 * @param mode {@code feature-extraction} (the default: the base is frozen, only a new head trains) or
	 * {@code fine-tune} (the base trains too, at {@code baseLearningRateFactor} times the head's rate; the whole
	 * base unless {@code trainableStages} or {@code trainableLayers} says otherwise)
	 * @param trainableLayers fine-tune only the base's last this-many layers that hold parameters
	 * @param trainableStages fine-tune only the base's last this-many named stages (see
	 * {@code GET /api/v1/architectures}); the earlier ones stay frozen
	 * @param cutAt keep the base up to and including this stage, then global average pooling and the new head:
	 * features from an earlier stage
	 * @param featureOutput a TorchScript base's classifier submodule to cut off (its final linear layer becomes an
	 * identity); by default {@code fc}, {@code classifier} or {@code head}, whichever the module has
	 */
	public record Transfer(String mode, Float baseLearningRateFactor, Integer trainableLayers,
			Integer trainableStages, String cutAt, String featureOutput) {

		public Transfer(String mode, Float baseLearningRateFactor, Integer trainableLayers) {
			this(mode, baseLearningRateFactor, trainableLayers, null, null, null);
		}

		public static final String FEATURE_EXTRACTION = "feature-extraction";

		public static final String FINE_TUNE = "fine-tune";

		static final Transfer DEFAULT = new Transfer(null, null, null);

		public String modeOrDefault() {
			return mode != null ? mode : FEATURE_EXTRACTION;
		}

		public float baseLearningRateFactorOrDefault() {
			return baseLearningRateFactor != null ? baseLearningRateFactor : 0.1f;
		}

	}

	/** The hyperparameters with every missing one filled in. */
	public Hyperparameters resolved() {
		return (hyperparameters != null ? hyperparameters : Hyperparameters.NONE).withDefaults();
	}

	/** @throws InvalidInputException {@code unsupported_task} for a task deepserve does not know */
	public Task taskOrDefault() {
		if (task == null) {
			return Task.IMAGE_CLASSIFICATION;
		}
		try {
			return Task.of(task);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidInputException("unsupported_task", ex.getMessage());
		}
	}

	public Transfer transferOrDefault() {
		return transfer != null ? transfer : Transfer.DEFAULT;
	}

	/** The same request, starting from exactly {@code base} and with the hyperparameters the job will use. */
	public TrainingRequest pinned(String architecture, String base, Hyperparameters hyperparameters) {
		return new TrainingRequest(model, task, architecture, dataset, base, transfer, hyperparameters, device,
				target, targets, precision);
	}

	public String precisionOrDefault() {
		return precision != null ? precision : FP32;
	}

	public boolean bf16() {
		return BF16.equals(precision);
	}

	public String deviceOrDefault() {
		return device != null ? device : "auto";
	}

}
