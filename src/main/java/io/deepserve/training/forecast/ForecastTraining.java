package io.deepserve.training.forecast;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import ai.djl.Device;

import org.springframework.stereotype.Component;

import io.deepserve.dataset.Dataset;
import io.deepserve.dataset.DatasetService;
import io.deepserve.dataset.SeriesTable;
import io.deepserve.registry.Lineage;
import io.deepserve.registry.NewModelVersion;
import io.deepserve.registry.Task;
import io.deepserve.training.Hyperparameters;
import io.deepserve.training.JobListener;
import io.deepserve.training.TrainingJob;
import io.deepserve.training.TrainingRequest;
import io.deepserve.training.TrainingTask;

/** Forecasting's training: a recurrent network on one column of a series dataset, backtested on its holdout. */
@Component
class ForecastTraining implements TrainingTask {

	private final ForecastValidator validator;

	private final ForecastTrainer trainer;

	private final DatasetService datasets;

	ForecastTraining(ForecastValidator validator, ForecastTrainer trainer, DatasetService datasets) {
		this.validator = validator;
		this.trainer = trainer;
		this.datasets = datasets;
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
	public TrainedModel train(TrainingJob job, Device device, Path work, JobListener listener) throws IOException {
		Dataset dataset = datasets.get(job.dataset());
		Hyperparameters requested = job.request().resolved();
		String target = job.request().target();
		SeriesTable table = datasets.readSeries(dataset.id())
			.withMissing(ForecastValidator.columnsRead(job.request()), requested.missing());
		AutoTransform.Choice transform = AutoTransform.choose(requested.targetTransform(), table.column(target),
				ChronologicalSplit.trainEnd(table.rows(), requested.validationSplit(), requested.holdoutSplit()));
		Hyperparameters hp = requested.withTargetTransform(transform.chosen());
		ForecastTrainer.Result result = trainer.train(job.architecture(), hp, table, target, device, work, listener);
		if (hp.refit()) {
			result = trainer.refit(job.architecture(), hp, table, target, device, work, listener, result);
		}
		Map<String, Object> metrics = new LinkedHashMap<>(result.metrics());
		metrics.put("targetTransform", transform.toMap());
		metrics.put("missing", Map.of("policy", hp.missing(), "rowsRead", table.rows()));
		if (table.frequency() != null) {
			metrics.put("dates", Map.of("column", table.timeColumn(), "frequency", table.frequency(), "first",
					table.time().get(0), "last", table.time().get(table.rows() - 1)));
		}
		NewModelVersion spec = new NewModelVersion(Task.FORECASTING, job.architecture(),
				result.inputShape(), null, null, result.spec(), metrics,
				new Lineage(job.id(), dataset.id(), dataset.sha256(), null), null, null);
		return new TrainedModel(spec, result.modelDir());
	}

}
