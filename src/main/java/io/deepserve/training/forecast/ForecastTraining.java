package io.deepserve.training.forecast;

import java.io.IOException;
import java.nio.file.Files;
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
import io.deepserve.inference.OpenMpTeams;
import io.deepserve.registry.Lineage;
import io.deepserve.registry.ModelRegistry;
import io.deepserve.registry.ModelVersion;
import io.deepserve.registry.NewModelVersion;
import io.deepserve.registry.Task;
import io.deepserve.task.forecast.Significance;
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
		// on the job's own thread, which ends with it: a forecaster's operations are too small for a second thread,
		// which on CPU only adds waking and waiting (BENCHMARKS.md, "Forecast latency": 31 s against 681 s for the
		// same job on a busy machine)
		OpenMpTeams.limitCurrentThread(1);
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
			Map<String, Object> transfer = new LinkedHashMap<>(
					ForecastBases.describe(baseVersion, request.transferOrDefault(), hp.horizon()));
			if (result.holdout() != null) {
				transfer.put("fromScratch", againstFromScratch(job, hp, table, device, work, listener, result));
			}
			metrics.put("transfer", transfer);
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

	/**
	 * Whether the base helped: the same architecture and hyperparameters trained from scratch on the same rows, and
	 * its holdout forecasts tested against the transferred model's ({@code beatsFromScratch} is the one-sided
	 * Diebold-Mariano test's answer at the job's significance level; the raw comparison is kept beside it). The run
	 * reports no progress of its own; a cancel stops it like the job.
	 */
	private Map<String, Object> againstFromScratch(TrainingJob job, Hyperparameters hp, SeriesTable table,
			Device device, Path work, JobListener listener, ForecastTrainer.Result transferred) throws IOException {
		ForecastTrainer.Result scratch = trainer.train(job.architecture(), hp, table, job.request().target(), device,
				Files.createDirectories(work.resolve("from-scratch")), new CancelOnly(listener), null);
		double level = Double.parseDouble(hp.significanceLevel().toString());
		Map<String, Object> test = Significance.compare(transferred.holdout().actual(),
				transferred.holdout().forecasts(), scratch.holdout().forecasts(), level);
		Map<String, Object> figures = new LinkedHashMap<>();
		figures.put("beatsFromScratch", test.get("significant"));
		figures.put("beatsFromScratchRaw", test.get("lowerMae"));
		figures.put("relativeMae", test.get("relativeMae"));
		figures.put("fromScratchBeatsNaive", scratch.metrics().get("beatsNaive"));
		figures.put("fromScratchRelativeMaeToNaive", scratch.metrics().get("relativeMae"));
		figures.put("test", test);
		return figures;
	}

	/** Passes a cancel on, and nothing else: the comparison run's epochs are not the job's. */
	private record CancelOnly(JobListener job) implements JobListener {

		@Override
		public void progress(TrainingJob.Progress progress) {
		}

		@Override
		public void epoch(TrainingJob.EpochResult result) {
		}

		@Override
		public boolean cancelRequested() {
			return job.cancelRequested();
		}

	}

}
