package io.deepserve.training;

import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import org.springframework.stereotype.Service;

import io.deepserve.dataset.Dataset;
import io.deepserve.error.ConflictException;
import io.deepserve.error.DeepserveException;
import io.deepserve.error.InvalidInputException;
import io.deepserve.error.NotFoundException;
import io.deepserve.inference.EngineService;
import io.deepserve.nn.Architectures;
import io.deepserve.nn.Stage;
import io.deepserve.nn.TransferHeads;
import io.deepserve.registry.ModelRegistry;
import io.deepserve.registry.ModelVersion;
import io.deepserve.registry.NewModelVersion;
import io.deepserve.registry.Task;
import io.deepserve.training.TrainingJob.Status;
import io.deepserve.web.Names;

/**
 * The training facade: checks a request completely before it is queued, lists jobs, cancels them. The queue is
 * the {@code training_jobs} table; {@link TrainingWorkers} take jobs from it.
 */
@Service
public class TrainingJobs {

	private static final Set<String> DEVICES = Set.of("auto", "cpu", "gpu");

	/** Beyond these a job is a typo or a denial of service, not a plan: README states them. */
	static final int MAX_EPOCHS = 1000;

	static final int MAX_BATCH_SIZE = 4096;

	private final TrainingJobRepository repository;

	private final Architectures architectures;

	private final EngineService engine;

	private final ModelRegistry registry;

	/** Every {@link TrainingTask} bean by its task. */
	private final Map<Task, TrainingTask> tasks;

	private final Set<String> cancelRequested = ConcurrentHashMap.newKeySet();

	private volatile Runnable onSubmit = () -> {
	};

	TrainingJobs(TrainingJobRepository repository, Architectures architectures, EngineService engine,
			ModelRegistry registry, List<TrainingTask> tasks) {
		this.repository = repository;
		this.tasks = new EnumMap<>(tasks.stream().collect(Collectors.toMap(TrainingTask::task, t -> t)));
		this.registry = registry;
		this.architectures = architectures;
		this.engine = engine;
	}

	public TrainingJob submit(TrainingRequest given) {
		Names.require("model", given.model());
		requireBounds(given.resolved());
		TrainingRequest request = pinBase(given);
		Dataset dataset = validate(request);
		TrainingJob job = new TrainingJob(UUID.randomUUID().toString(), request.model(), request.taskOrDefault(),
				request.architecture(), dataset.id(), request, Status.QUEUED, null,
				List.of(), null, null, null, Instant.now(), null, null);
		repository.insert(job);
		onSubmit.run();
		return job;
	}

	public List<TrainingJob> list(String status) {
		return repository.list(status == null ? null : parseStatus(status));
	}

	/** @throws DeepserveException {@code 404 job_not_found} */
	public TrainingJob get(String id) {
		return repository.find(id)
			.orElseThrow(() -> new NotFoundException("job_not_found", "no training job '" + id + "'"));
	}

	/** A QUEUED job is CANCELLED now; a RUNNING one stops at its next batch. */
	public TrainingJob cancel(String id) {
		TrainingJob job = get(id);
		if (job.status() == Status.QUEUED && repository.finish(id, Status.QUEUED, Status.CANCELLED, null, null)) {
			return get(id);
		}
		job = get(id);
		if (job.status().finished()) {
			throw new ConflictException("job_finished", "training job " + id + " is already " + job.status());
		}
		cancelRequested.add(id);
		// the job may run on another instance: it sees the flag when it next renews its lease
		if (!repository.requestCancel(id)) {
			cancelRequested.remove(id);
			throw new ConflictException("job_finished", "training job " + id + " is already " + get(id).status());
		}
		return job;
	}

	boolean cancelRequested(String id) {
		return cancelRequested.contains(id);
	}

	/** A cancel asked of another instance, seen when renewing the lease. */
	void requestedElsewhere(String id) {
		cancelRequested.add(id);
	}

	void forget(String id) {
		cancelRequested.remove(id);
	}

	void onSubmit(Runnable signal) {
		this.onSubmit = signal;
	}

	/**
	 * Resolves the base model once, so that the job trains from the version that was checked even if an alias
	 * moves before it runs; the architecture and image size default to the base's.
	 */
	private TrainingRequest pinBase(TrainingRequest request) {
		if (request.baseModel() == null) {
			if (request.transfer() != null) {
				throw invalidTransfer("transfer needs a baseModel to start from");
			}
			return request;
		}
		if (request.taskOrDefault() != Task.IMAGE_CLASSIFICATION) {
			TrainingTask task = tasks.get(request.taskOrDefault());
			if (task == null) {
				throw invalidTransfer("a baseModel can only be given for a task this instance trains");
			}
			return task.pinBase(request);
		}
		ModelVersion base;
		try {
			base = registry.resolve(request.baseModel());
		}
		catch (DeepserveException ex) {
			throw new InvalidInputException("invalid_base_model", "baseModel: " + ex.getMessage());
		}
		if (base.task() != Task.IMAGE_CLASSIFICATION) {
			throw new InvalidInputException("wrong_task", "baseModel " + base.ref() + " is a " + base.task()
					+ " model; transfer learning needs an image-classification one");
		}
		if (base.status() != ModelVersion.Status.READY) {
			throw new InvalidInputException("invalid_base_model", "baseModel " + base.ref() + " is " + base.status());
		}
		String architecture = base.isTorchScript() ? NewModelVersion.TORCHSCRIPT : base.architecture();
		if (request.architecture() != null && !request.architecture().equals(architecture)) {
			throw new InvalidInputException("architecture_mismatch", "the new model keeps its base's architecture ("
					+ architecture + "); leave architecture out or set it to that, not '" + request.architecture() + "'");
		}
		if (!base.isTorchScript()) {
			TransferHeads.body(architectures.newClassifier(architecture, Architectures.MIN_CLASSES), architecture);
		}
		TrainingRequest.Transfer transfer = request.transferOrDefault();
		String mode = transfer.modeOrDefault();
		if (!TrainingRequest.Transfer.FEATURE_EXTRACTION.equals(mode)
				&& !TrainingRequest.Transfer.FINE_TUNE.equals(mode)) {
			throw invalidTransfer("transfer.mode must be feature-extraction or fine-tune, not '" + mode + "'");
		}
		if (!(transfer.baseLearningRateFactorOrDefault() > 0 && transfer.baseLearningRateFactorOrDefault() <= 1)) {
			throw invalidTransfer("transfer.baseLearningRateFactor must be above 0 and at most 1");
		}
		if (transfer.trainableLayers() != null) {
			if (!TrainingRequest.Transfer.FINE_TUNE.equals(mode) || transfer.trainableLayers() < 1) {
				throw invalidTransfer("transfer.trainableLayers is a positive count, for fine-tune only");
			}
			if (base.isTorchScript()) {
				throw invalidTransfer("a TorchScript base is one opaque layer: fine-tune it whole, "
						+ "without trainableLayers");
			}
		}
		requireStages(transfer, base, architecture);
		Hyperparameters hp = request.hyperparameters() != null ? request.hyperparameters() : Hyperparameters.NONE;
		Integer baseSize = base.preprocessing() != null ? base.preprocessing().imageSize() : null;
		return request.pinned(architecture, base.ref(), baseSize != null ? hp.withImageSizeIfMissing(baseSize) : hp);
	}

	/**
	 * {@code cutAt} and {@code trainableStages} name stages of a built-in architecture's network, as far as the
	 * base has them (a base cut at a stage has none after it); {@code featureOutput} is a TorchScript base's.
	 */
	private void requireStages(TrainingRequest.Transfer transfer, ModelVersion base, String architecture) {
		boolean fineTune = TrainingRequest.Transfer.FINE_TUNE.equals(transfer.modeOrDefault());
		if (base.isTorchScript()) {
			if (transfer.cutAt() != null || transfer.trainableStages() != null) {
				throw invalidTransfer("a TorchScript base has no named stages: cutAt and trainableStages are for "
						+ "built-in architectures; its classifier is cut by featureOutput");
			}
			return;
		}
		if (transfer.featureOutput() != null) {
			throw invalidTransfer("featureOutput names a TorchScript base's classifier; a " + architecture
					+ " base's is cut off automatically (cutAt takes features from an earlier stage)");
		}
		if (transfer.trainableStages() != null && transfer.trainableLayers() != null) {
			throw invalidTransfer("give transfer.trainableStages or transfer.trainableLayers, not both");
		}
		if (transfer.trainableStages() != null && !fineTune) {
			throw invalidTransfer("transfer.trainableStages is for fine-tune only; feature-extraction trains no stage");
		}
		String baseCut = base.lineage() == null || base.lineage().transfer() == null ? null
				: base.lineage().transfer().cutAt();
		List<Stage> stages = architectures.stages(architecture, baseCut);
		if (transfer.cutAt() != null) {
			stages = stages.subList(0, stages.indexOf(Architectures.requireStage(architecture, stages,
					transfer.cutAt())) + 1);
		}
		Integer trainable = transfer.trainableStages();
		if (trainable != null && (trainable < 1 || trainable > stages.size())) {
			throw invalidTransfer("transfer.trainableStages must be between 1 and " + stages.size() + " (the stages "
					+ String.join(", ", stages.stream().map(Stage::name).toList()) + "), not " + trainable);
		}
	}

	private Dataset validate(TrainingRequest request) {
		Task task = request.taskOrDefault();
		TrainingTask trainingTask = tasks.get(task);
		if (trainingTask == null) {
			throw new InvalidInputException("unsupported_task", "this instance trains no " + task + " models");
		}
		Dataset dataset = trainingTask.validate(request);
		requireDevice(request);
		requirePrecision(request, task);
		return dataset;
	}

	/**
	 * bf16 is refused where this replica would train it slower than fp32, as it would serve it
	 * ({@link EngineService#bf16Refusal}); in scaled-out mode that is the replica that takes the job, not the worker
	 * that runs it.
	 */
	private void requirePrecision(TrainingRequest request, Task task) {
		if (!TrainingRequest.PRECISIONS.contains(request.precisionOrDefault())) {
			throw new InvalidInputException("invalid_precision", "precision must be one of "
					+ TrainingRequest.PRECISIONS + ", not " + request.precision());
		}
		if (!request.bf16()) {
			return;
		}
		if (task != Task.IMAGE_CLASSIFICATION) {
			throw new InvalidInputException("invalid_precision", "precision bf16 trains image classifiers only");
		}
		String refusal = engine.bf16Refusal();
		if (refusal != null) {
			throw new InvalidInputException("precision_unavailable", "precision bf16 cannot be trained fast here: "
					+ refusal);
		}
	}

	private static void requireBounds(Hyperparameters hp) {
		if (hp.epochs() > MAX_EPOCHS) {
			throw new InvalidInputException("invalid_hyperparameter", "epochs must be at most " + MAX_EPOCHS + ", not " + hp.epochs());
		}
		if (hp.batchSize() > MAX_BATCH_SIZE) {
			throw new InvalidInputException("invalid_hyperparameter", "batchSize must be at most " + MAX_BATCH_SIZE + ", not " + hp.batchSize());
		}
	}

	private void requireDevice(TrainingRequest request) {
		String device = request.deviceOrDefault();
		if (!DEVICES.contains(device)) {
			throw new InvalidInputException("invalid_device", "device must be one of " + DEVICES);
		}
		if ("gpu".equals(device) && engine.engine().getGpuCount() == 0) {
			throw new InvalidInputException("invalid_device", "device gpu was asked for, and no GPU is visible");
		}
	}

	private static DeepserveException invalidTransfer(String detail) {
		return new InvalidInputException("invalid_transfer", detail);
	}

	private static Status parseStatus(String status) {
		try {
			return Status.valueOf(status.toUpperCase(java.util.Locale.ROOT));
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidInputException("invalid_status", "status must be one of " + List.of(Status.values()));
		}
	}

}
