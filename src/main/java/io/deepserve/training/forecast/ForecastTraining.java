package io.deepserve.training.forecast;

import java.io.IOException;
import java.nio.file.Path;

import ai.djl.Device;

import org.springframework.stereotype.Component;

import io.deepserve.dataset.Dataset;
import io.deepserve.dataset.DatasetService;
import io.deepserve.registry.Lineage;
import io.deepserve.registry.NewModelVersion;
import io.deepserve.registry.Task;
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
		ForecastTrainer.Result result = trainer.train(job.architecture(), job.request().resolved(),
				datasets.readSeries(dataset.id()), job.request().target(), device, work, listener);
		NewModelVersion spec = new NewModelVersion(Task.FORECASTING, job.architecture(),
				result.inputShape(), null, null, result.spec(), result.metrics(),
				new Lineage(job.id(), dataset.id(), dataset.sha256(), null), null, null);
		return new TrainedModel(spec, result.modelDir());
	}

}
