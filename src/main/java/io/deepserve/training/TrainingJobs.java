package io.deepserve.training;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Service;

import io.deepserve.dataset.Dataset;
import io.deepserve.dataset.DatasetService;
import io.deepserve.inference.EngineService;
import io.deepserve.nn.Architectures;
import io.deepserve.training.TrainingJob.Status;
import io.deepserve.web.ApiException;
import io.deepserve.web.Names;

/**
 * The training facade: checks a request completely before it is queued, lists jobs, cancels them. The queue is
 * the {@code training_jobs} table; {@link TrainingWorkers} take jobs from it.
 */
@Service
public class TrainingJobs {

	private static final Set<String> OPTIMIZERS = Set.of("adam", "sgd");

	private static final Set<String> DEVICES = Set.of("auto", "cpu", "gpu");

	private final TrainingJobRepository repository;

	private final DatasetService datasets;

	private final Architectures architectures;

	private final EngineService engine;

	private final Set<String> cancelRequested = ConcurrentHashMap.newKeySet();

	private volatile Runnable onSubmit = () -> {
	};

	TrainingJobs(TrainingJobRepository repository, DatasetService datasets, Architectures architectures,
			EngineService engine) {
		this.repository = repository;
		this.datasets = datasets;
		this.architectures = architectures;
		this.engine = engine;
	}

	public TrainingJob submit(TrainingRequest request) {
		Dataset dataset = validate(request);
		TrainingJob job = new TrainingJob(UUID.randomUUID().toString(), request.model(), request.taskOrDefault(),
				architectures.require(request.architecture()).name(), dataset.id(), request, Status.QUEUED, null,
				List.of(), null, null, null, Instant.now(), null, null);
		repository.insert(job);
		onSubmit.run();
		return job;
	}

	public List<TrainingJob> list(String status) {
		return repository.list(status == null ? null : parseStatus(status));
	}

	/** @throws ApiException {@code 404 job_not_found} */
	public TrainingJob get(String id) {
		return repository.find(id)
			.orElseThrow(() -> ApiException.notFound("job_not_found", "no training job '" + id + "'"));
	}

	/** A QUEUED job is CANCELLED now; a RUNNING one stops at its next batch. */
	public TrainingJob cancel(String id) {
		TrainingJob job = get(id);
		if (job.status() == Status.QUEUED && repository.finish(id, Status.QUEUED, Status.CANCELLED, null, null)) {
			return get(id);
		}
		job = get(id);
		if (job.status().finished()) {
			throw ApiException.conflict("job_finished", "training job " + id + " is already " + job.status());
		}
		cancelRequested.add(id);
		return job;
	}

	boolean cancelRequested(String id) {
		return cancelRequested.contains(id);
	}

	void forget(String id) {
		cancelRequested.remove(id);
	}

	void onSubmit(Runnable signal) {
		this.onSubmit = signal;
	}

	private Dataset validate(TrainingRequest request) {
		Names.require("model", request.model());
		String task = request.taskOrDefault();
		if (TrainingRequest.FORECASTING.equals(task)) {
			throw ApiException.badRequest("unsupported_task",
					"forecasting jobs are not supported yet; only image-classification can be trained");
		}
		if (!TrainingRequest.IMAGE_CLASSIFICATION.equals(task)) {
			throw ApiException.badRequest("unsupported_task",
					"task must be image-classification (forecasting is not supported yet), not '" + task + "'");
		}
		if (request.baseModel() != null || request.transfer() != null) {
			throw ApiException.badRequest("unsupported_transfer",
					"transfer learning (baseModel, transfer) is not supported yet; leave them out to train from scratch");
		}
		architectures.require(request.architecture());
		if (request.dataset() == null) {
			throw ApiException.badRequest("invalid_request", "dataset (a dataset id or name) is required");
		}
		Dataset dataset = datasets.resolve(request.dataset());
		if (!Dataset.IMAGES.equals(dataset.kind())) {
			throw ApiException.badRequest("wrong_dataset_kind", "image-classification needs an images dataset, and "
					+ dataset.id() + " is a " + dataset.kind() + " dataset");
		}
		Architectures.requireClasses(dataset.classes().size());
		Hyperparameters hp = request.resolved();
		if (hp.epochs() <= 0) {
			throw invalid("epochs must be positive");
		}
		if (hp.batchSize() < 2) {
			throw invalid("batchSize must be at least 2 (batch normalisation needs two images)");
		}
		if (!(hp.learningRate() > 0)) {
			throw invalid("learningRate must be positive");
		}
		if (!OPTIMIZERS.contains(hp.optimizer())) {
			throw invalid("optimizer must be one of " + OPTIMIZERS);
		}
		if (!(hp.validationSplit() > 0 && hp.validationSplit() < 1)) {
			throw invalid("validationSplit must be above 0 and below 1");
		}
		if (hp.earlyStoppingPatience() < 0) {
			throw invalid("earlyStoppingPatience must not be negative");
		}
		architectures.requireImageSize(request.architecture(), hp.imageSize());
		String device = request.deviceOrDefault();
		if (!DEVICES.contains(device)) {
			throw ApiException.badRequest("invalid_device", "device must be one of " + DEVICES);
		}
		if ("gpu".equals(device) && engine.engine().getGpuCount() == 0) {
			throw ApiException.badRequest("invalid_device", "device gpu was asked for, and no GPU is visible");
		}
		return dataset;
	}

	private static ApiException invalid(String detail) {
		return ApiException.badRequest("invalid_hyperparameter", detail);
	}

	private static Status parseStatus(String status) {
		try {
			return Status.valueOf(status.toUpperCase(java.util.Locale.ROOT));
		}
		catch (IllegalArgumentException ex) {
			throw ApiException.badRequest("invalid_status", "status must be one of " + List.of(Status.values()));
		}
	}

}
