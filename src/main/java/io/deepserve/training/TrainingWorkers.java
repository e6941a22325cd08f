package io.deepserve.training;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import ai.djl.Device;
import ai.djl.Model;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import io.deepserve.config.DeepserveProperties;
import io.deepserve.dataset.Dataset;
import io.deepserve.dataset.DatasetService;
import io.deepserve.dataset.ImageFolder;
import io.deepserve.inference.EngineService;
import io.deepserve.inference.ModelLoader;
import io.deepserve.registry.ArtifactFormat;
import io.deepserve.registry.Lineage;
import io.deepserve.registry.ModelRegistry;
import io.deepserve.registry.ModelVersion;
import io.deepserve.registry.NewModelVersion;
import io.deepserve.registry.Preprocessing;
import io.deepserve.training.TrainingJob.EpochResult;
import io.deepserve.training.TrainingJob.Progress;
import io.deepserve.training.TrainingJob.Status;
import io.deepserve.training.vision.ImageClassifierTrainer;

/**
 * A fixed number of worker threads, each taking the oldest QUEUED job from the table, running it to SUCCEEDED,
 * FAILED or CANCELLED, and going on. A job that throws fails alone. At start, jobs a previous process left
 * RUNNING are FAILED: nothing can resume them.
 */
@Component
class TrainingWorkers {

	static final String INTERRUPTED = "interrupted by restart";

	private static final Logger log = LoggerFactory.getLogger(TrainingWorkers.class);

	private static final long PROGRESS_WRITE_NANOS = TimeUnit.SECONDS.toNanos(1);

	private final TrainingJobs jobs;

	private final TrainingJobRepository repository;

	private final DatasetService datasets;

	private final ModelRegistry registry;

	private final EngineService engine;

	private final ImageClassifierTrainer trainer;

	private final DeepserveProperties properties;

	private final TrainingMetrics metrics;

	private final ModelLoader loader;

	private final Object signal = new Object();

	private final List<Thread> threads = new ArrayList<>();

	private volatile boolean stopping;

	TrainingWorkers(TrainingJobs jobs, TrainingJobRepository repository, DatasetService datasets,
			ModelRegistry registry, EngineService engine, ImageClassifierTrainer trainer,
			DeepserveProperties properties, TrainingMetrics metrics, ModelLoader loader) {
		this.jobs = jobs;
		this.repository = repository;
		this.datasets = datasets;
		this.registry = registry;
		this.engine = engine;
		this.trainer = trainer;
		this.properties = properties;
		this.metrics = metrics;
		this.loader = loader;
	}

	@EventListener(ApplicationReadyEvent.class)
	synchronized void start() {
		if (!threads.isEmpty()) {
			return;
		}
		int failed = repository.failRunning(INTERRUPTED);
		if (failed > 0) {
			log.warn("{} training job(s) left RUNNING by a previous process are now FAILED", failed);
		}
		jobs.onSubmit(() -> {
			synchronized (signal) {
				signal.notifyAll();
			}
		});
		for (int i = 0; i < properties.training().workers(); i++) {
			Thread thread = new Thread(this::work, "training-worker-" + i);
			thread.setDaemon(true);
			threads.add(thread);
			thread.start();
		}
	}

	@PreDestroy
	void stop() throws InterruptedException {
		stopping = true;
		synchronized (signal) {
			signal.notifyAll();
		}
		for (Thread thread : threads) {
			thread.join(TimeUnit.SECONDS.toMillis(30));
		}
	}

	private void work() {
		long poll = properties.training().pollInterval().toMillis();
		while (!stopping) {
			Optional<TrainingJob> claimed;
			try {
				claimed = repository.claimOldest();
			}
			catch (RuntimeException ex) {
				log.warn("could not look for training jobs: {}", ex.getMessage());
				claimed = Optional.empty();
			}
			if (claimed.isPresent()) {
				run(claimed.get());
				continue;
			}
			synchronized (signal) {
				try {
					signal.wait(poll);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return;
				}
			}
		}
	}

	private void run(TrainingJob job) {
		log.info("training job {} started: {} on dataset {}", job.id(), job.architecture(), job.dataset());
		Path work = null;
		try {
			work = Files.createTempDirectory(Files.createDirectories(properties.cacheDir().resolve("training")),
					job.id());
			String result = train(job, work);
			repository.finish(job.id(), Status.RUNNING, Status.SUCCEEDED, result, null);
			log.info("training job {} succeeded: {}", job.id(), result);
		}
		catch (JobCancelledException ex) {
			if (stopping) {
				repository.finish(job.id(), Status.RUNNING, Status.FAILED, null, "interrupted by shutdown");
			}
			else {
				repository.finish(job.id(), Status.RUNNING, Status.CANCELLED, null, null);
				log.info("training job {} cancelled", job.id());
			}
		}
		catch (Exception | Error ex) {
			log.warn("training job {} failed", job.id(), ex);
			repository.finish(job.id(), Status.RUNNING, Status.FAILED, null, describe(ex));
		}
		finally {
			metrics.ended(job.model());
			jobs.forget(job.id());
			deleteQuietly(work);
		}
	}

	private String train(TrainingJob job, Path work) throws IOException {
		Hyperparameters hp = job.request().resolved();
		Device device = device(job.request().deviceOrDefault());
		repository.started(job.id(), device.isGpu() ? "gpu" : "cpu");
		Dataset dataset = datasets.get(job.dataset());
		Listener listener = new Listener(job);
		ModelVersion base = job.request().baseModel() == null ? null : registry.resolve(job.request().baseModel());
		ImageClassifierTrainer.Result result;
		try (ImageFolder images = datasets.openImages(job.dataset());
				Model baseModel = base == null ? null : loadBase(base, device)) {
			result = trainer.train(job.architecture(), hp, images, device, work, listener,
					baseModel == null ? null : transferBase(job.request(), base, baseModel));
		}
		listener.flush();
		Path zip = work.resolve("model.zip");
		zip(result.modelDir(), zip);
		Preprocessing preprocessing = new Preprocessing(hp.imageSize(), null, mean(base), std(base));
		NewModelVersion spec = new NewModelVersion(NewModelVersion.IMAGE_CLASSIFICATION, job.architecture(),
				List.of(1L, 3L, (long) hp.imageSize(), (long) hp.imageSize()), result.classes(), preprocessing, null,
				Map.of("bestValidationAccuracy", result.bestValidationAccuracy(), "bestEpoch", result.bestEpoch(),
						"perClassAccuracy", result.perClassAccuracy(), "confusionMatrix", result.confusionMatrix()),
				new Lineage(job.id(), dataset.id(), dataset.sha256(), base == null ? null : base.ref()), null, null);
		try (InputStream in = Files.newInputStream(zip)) {
			ModelVersion version = registry.register(job.model(), spec, in);
			return version.name() + ":" + version.version();
		}
	}

	/** The base as the engine loads it for serving; the trainer wraps its network in a fresh model of its own. */
	private Model loadBase(ModelVersion base, Device device) {
		NewModelVersion spec = new NewModelVersion(base.task(), base.architecture(), base.inputShape(), base.labels(),
				base.preprocessing(), null, null, null, null, null);
		return loader.load(spec, ArtifactFormat.of(base.format()), registry.materialize(base), device);
	}

	private static ImageClassifierTrainer.Base transferBase(TrainingRequest request, ModelVersion base, Model model) {
		TrainingRequest.Transfer transfer = request.transferOrDefault();
		return new ImageClassifierTrainer.Base(model.getBlock(), base.architecture(), base.isTorchScript(),
				TrainingRequest.Transfer.FEATURE_EXTRACTION.equals(transfer.modeOrDefault()),
				transfer.baseLearningRateFactorOrDefault(), transfer.trainableLayers(), mean(base), std(base));
	}

	/** A model built on a base normalises its input as the base did; ImageNet's statistics otherwise. */
	private static List<Float> mean(ModelVersion base) {
		return base != null && base.preprocessing() != null && base.preprocessing().mean() != null
				? base.preprocessing().mean() : Preprocessing.IMAGENET_MEAN;
	}

	private static List<Float> std(ModelVersion base) {
		return base != null && base.preprocessing() != null && base.preprocessing().std() != null
				? base.preprocessing().std() : Preprocessing.IMAGENET_STD;
	}

	private Device device(String asked) {
		boolean gpu = "gpu".equals(asked) || ("auto".equals(asked) && engine.engine().getGpuCount() > 0);
		return gpu ? Device.gpu() : Device.cpu();
	}

	/** Progress goes to the table at most once a second; every finished epoch goes at once. */
	private final class Listener implements JobListener {

		private final String id;

		private final String model;

		private final List<EpochResult> history = new ArrayList<>();

		private Progress progress;

		private long lastWrite;

		Listener(TrainingJob job) {
			this.id = job.id();
			this.model = job.model();
		}

		@Override
		public void batch(int samples, long nanos, double loss) {
			metrics.batch(model, samples, nanos, loss);
		}

		@Override
		public void progress(Progress progress) {
			this.progress = progress;
			long now = System.nanoTime();
			if (now - lastWrite >= PROGRESS_WRITE_NANOS) {
				flush();
			}
		}

		@Override
		public void epoch(EpochResult result) {
			history.add(result);
			flush();
			log.info("training job {} ({}) epoch {}/{}: train loss {}, validation loss {}, validation accuracy {}", id,
					model, result.epoch(), progress == null ? "?" : progress.epochs(), round(result.trainLoss()),
					round(result.valLoss()), round(result.valAccuracy()));
		}

		@Override
		public boolean cancelRequested() {
			return stopping || jobs.cancelRequested(id);
		}

		void flush() {
			lastWrite = System.nanoTime();
			repository.progress(id, progress, history);
		}

	}

	private static String round(Double value) {
		return value == null ? "-" : String.format(java.util.Locale.ROOT, "%.4f", value);
	}

	private static String describe(Throwable ex) {
		String message = ex.getMessage();
		if (message == null || message.isBlank()) {
			return ex.getClass().getSimpleName();
		}
		int newline = message.indexOf('\n');
		return newline > 0 ? message.substring(0, newline) : message;
	}

	private static void zip(Path dir, Path target) throws IOException {
		try (OutputStream out = Files.newOutputStream(target); ZipOutputStream zip = new ZipOutputStream(out);
				Stream<Path> files = Files.list(dir)) {
			for (Path file : files.sorted().toList()) {
				zip.putNextEntry(new ZipEntry(file.getFileName().toString()));
				Files.copy(file, zip);
				zip.closeEntry();
			}
		}
	}

	private static void deleteQuietly(Path dir) {
		if (dir == null) {
			return;
		}
		try (Stream<Path> files = Files.walk(dir)) {
			files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
		}
		catch (IOException ex) {
			log.debug("could not delete {}", dir, ex);
		}
	}

}
