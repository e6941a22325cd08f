package io.deepserve.training.forecast;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import ai.djl.Device;
import ai.djl.Model;

import org.springframework.stereotype.Component;

import io.deepserve.error.DeepserveException;
import io.deepserve.error.InvalidInputException;
import io.deepserve.inference.ModelLoader;
import io.deepserve.registry.ForecastSpec;
import io.deepserve.registry.ModelRegistry;
import io.deepserve.registry.ModelVersion;
import io.deepserve.registry.NewModelVersion;
import io.deepserve.registry.Task;
import io.deepserve.training.Hyperparameters;
import io.deepserve.training.TrainingRequest;
import io.deepserve.training.TrainingRequest.Transfer;

/**
 * Registered forecasters as bases: checked and pinned when a job is submitted, loaded when it runs. A base passes
 * on its recurrent layers, so the new model must have the same architecture, window, hidden size, layers and input
 * columns; its horizon may differ (the head is then new; left out, it is the base's), and so may its data.
 */
@Component
class ForecastBases {

	private final ModelRegistry registry;

	private final ModelLoader loader;

	ForecastBases(ModelRegistry registry, ModelLoader loader) {
		this.registry = registry;
		this.loader = loader;
	}

	/**
	 * @return the request starting from exactly the base's version, with the base's architecture, window, horizon,
	 * hidden size, layers and target transform wherever the request left them out
	 * @throws DeepserveException {@code 400 invalid_base_model} for a base that cannot be used at all,
	 * {@code 400 incompatible_base_model} for one whose network does not fit the job, {@code 400 invalid_transfer}
	 */
	TrainingRequest pin(TrainingRequest request) {
		ModelVersion base;
		try {
			base = registry.resolve(request.baseModel());
		}
		catch (DeepserveException ex) {
			throw new InvalidInputException("invalid_base_model", "baseModel: " + ex.getMessage());
		}
		if (base.status() != ModelVersion.Status.READY) {
			throw new InvalidInputException("invalid_base_model", "baseModel " + base.ref() + " is " + base.status());
		}
		ForecastSpec spec = base.forecast();
		if (base.task() != Task.FORECASTING || spec == null) {
			throw incompatible("baseModel " + base.ref() + " is a " + base.task() + " model; a forecasting job "
					+ "starts from a forecaster");
		}
		if (base.isTorchScript() || spec.hiddenSize() == null || spec.layers() == null) {
			throw incompatible("baseModel " + base.ref() + " is an imported network deepserve cannot take apart; "
					+ "a forecasting base must be a forecaster trained here");
		}
		String architecture = base.architecture();
		if (request.architecture() != null && !request.architecture().equals(architecture)) {
			throw incompatible("baseModel " + base.ref() + " is an " + architecture + "; the new model keeps its "
					+ "base's architecture, so leave architecture out or set it to that, not '"
					+ request.architecture() + "'");
		}
		Hyperparameters given = request.hyperparameters() != null ? request.hyperparameters() : Hyperparameters.NONE;
		Hyperparameters hp = given.withForecastBaseIfMissing(spec.window(), spec.horizon(), spec.hiddenSize(),
				spec.layers(), spec.targetTransform());
		requireSame("window", spec.window(), hp.window(), base);
		requireSame("hiddenSize", spec.hiddenSize(), hp.hiddenSize(), base);
		requireSame("layers", spec.layers(), hp.layers(), base);
		requireSame("targetTransform", spec.targetTransform(), hp.targetTransform(), base);
		int baseColumns = 1 + (spec.features() == null ? 0 : spec.features().size());
		int columns = 1 + (request.targets() != null || hp.features() == null ? 0 : hp.features().size());
		if (baseColumns != columns) {
			throw incompatible("baseModel " + base.ref() + " reads " + baseColumns + " input column(s) per row "
					+ "(its target and features " + spec.features() + "), and this job would read " + columns);
		}
		Transfer transfer = request.transferOrDefault();
		String mode = transfer.modeOrDefault();
		if (!Transfer.FEATURE_EXTRACTION.equals(mode) && !Transfer.FINE_TUNE.equals(mode)) {
			throw invalidTransfer("transfer.mode must be feature-extraction or fine-tune, not '" + mode + "'");
		}
		if (!(transfer.baseLearningRateFactorOrDefault() > 0 && transfer.baseLearningRateFactorOrDefault() <= 1)) {
			throw invalidTransfer("transfer.baseLearningRateFactor must be above 0 and at most 1");
		}
		if (transfer.trainableLayers() != null) {
			throw invalidTransfer("a forecaster base transfers its recurrent layers whole: frozen "
					+ "(feature-extraction) or all tuned (fine-tune); transfer.trainableLayers is for image bases");
		}
		return request.pinned(architecture, base.ref(), hp);
	}

	/** The base's network on {@code device}, as serving loads it; the caller closes it after training. */
	Model load(ModelVersion base, Device device) {
		NewModelVersion spec = new NewModelVersion(base.task(), base.architecture(), base.inputShape(), null, null,
				base.forecast(), null, null, null, null);
		return loader.load(spec, base.format(), registry.materialize(base), device);
	}

	static ForecastBase base(ModelVersion version, Model model, Transfer transfer) {
		return new ForecastBase(model.getBlock(), version.forecast().horizon(),
				Transfer.FEATURE_EXTRACTION.equals(transfer.modeOrDefault()),
				transfer.baseLearningRateFactorOrDefault());
	}

	private static void requireSame(String what, Object base, Object job, ModelVersion version) {
		if (!Objects.equals(base, job)) {
			throw incompatible("baseModel " + version.ref() + " has " + what + " " + base + ", and this job asks for "
					+ job + "; a base's network passes on only to the same " + what + " (leave it out to take the "
					+ "base's)");
		}
	}

	private static InvalidInputException incompatible(String detail) {
		return new InvalidInputException("incompatible_base_model", detail);
	}

	private static InvalidInputException invalidTransfer(String detail) {
		return new InvalidInputException("invalid_transfer", detail);
	}

	/** The lineage and metrics entry that says what a job started from. */
	static Map<String, Object> describe(ModelVersion base, Transfer transfer, int horizon) {
		Map<String, Object> figures = new LinkedHashMap<>();
		figures.put("baseModel", base.ref());
		figures.put("mode", transfer.modeOrDefault());
		if (Transfer.FINE_TUNE.equals(transfer.modeOrDefault())) {
			figures.put("baseLearningRateFactor", transfer.baseLearningRateFactorOrDefault());
		}
		figures.put("headKept", base.forecast().horizon() == horizon);
		return figures;
	}

}
