package io.deepserve.training.forecast;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ai.djl.Device;
import ai.djl.Model;

import org.springframework.stereotype.Component;

import io.deepserve.dataset.Dataset;
import io.deepserve.dataset.DatasetService;
import io.deepserve.dataset.SeriesTable;
import io.deepserve.registry.Lineage;
import io.deepserve.registry.ModelRegistry;
import io.deepserve.registry.ModelVersion;
import io.deepserve.registry.NewModelVersion;
import io.deepserve.registry.Task;
import io.deepserve.training.Hyperparameters;
import io.deepserve.training.JobListener;
import io.deepserve.training.TrainingJob;
import io.deepserve.training.TrainingRequest;
import io.deepserve.training.TrainingTask;

/**
 * Forecasting's training: a recurrent network on one column of a series dataset, or a global one on several, from
 * scratch or from a registered forecaster, backtested on its holdout.
 */
@Component
class ForecastTraining implements TrainingTask {

	private final ForecastValidator validator;

	private final ForecastTrainer trainer;

	private final DatasetService datasets;

	private final ForecastBases bases;

	private final ModelRegistry registry;

	ForecastTraining(ForecastValidator validator, ForecastTrainer trainer, DatasetService datasets,
			ForecastBases bases, ModelRegistry registry) {
		this.validator = validator;
		this.trainer = trainer;
		this.datasets = datasets;
		this.bases = bases;
		this.registry = registry;
	}

	@Override
	public Task task() {
		return Task.FORECASTING;
	}

	@Override
	public Dataset validate(TrainingRequest request) {
		return validator.validate(request);
	}

	@Override
	public TrainingRequest pinBase(TrainingRequest request) {
		return bases.pin(request);
	}

	@Override
	public TrainedModel train(TrainingJob job, Device device, Path work, JobListener listener) throws IOException {
		Dataset dataset = datasets.get(job.dataset());
		TrainingRequest request = job.request();
		Hyperparameters requested = request.resolved();
		SeriesTable raw = datasets.readSeries(dataset.id());
		List<String> targets = Targets.of(request, raw.columns());
		SeriesTable table = raw.withMissing(ForecastValidator.columnsRead(request, targets), requested.missing());
		AutoTransform.Choice transform = AutoTransform.choose(requested.targetTransform(),
				targets.stream().map(table::column).toList(),
				ChronologicalSplit.trainEnd(table.rows(), requested.validationSplit(), requested.holdoutSplit()));
		Hyperparameters hp = requested.withTargetTransform(transform.chosen());
		ModelVersion baseVersion = request.baseModel() == null ? null : registry.resolve(request.baseModel());
		ForecastTrainer.Result result;
		try (Model baseModel = baseVersion == null ? null : bases.load(baseVersion, device)) {
			ForecastBase base = baseModel == null ? null
					: ForecastBases.base(baseVersion, baseModel, request.transferOrDefault());
			result = Targets.global(request)
					? trainer.trainGlobal(job.architecture(), hp, table, targets, device, work, listener, base)
					: trainer.train(job.architecture(), hp, table, request.target(), device, work, listener, base);
		}
		if (hp.refit()) {
			result = trainer.refit(job.architecture(), hp, table, request.target(), device, work, listener, result);
		}
		Map<String, Object> metrics = new LinkedHashMap<>(result.metrics());
		if (baseVersion != null) {
			metrics.put("transfer", ForecastBases.describe(baseVersion, request.transferOrDefault(), hp.horizon()));
		}
		metrics.put("targetTransform", transform.toMap());
		metrics.put("missing", Map.of("policy", hp.missing(), "rowsRead", table.rows()));
		if (table.frequency() != null) {
			metrics.put("dates", Map.of("column", table.timeColumn(), "frequency", table.frequency(), "first",
					table.time().get(0), "last", table.time().get(table.rows() - 1)));
		}
		NewModelVersion spec = new NewModelVersion(Task.FORECASTING, job.architecture(),
				result.inputShape(), null, null, result.spec(), metrics,
				new Lineage(job.id(), dataset.id(), dataset.sha256(), baseVersion == null ? null : baseVersion.ref()),
				null, null);
		return new TrainedModel(spec, result.modelDir());
	}

}
