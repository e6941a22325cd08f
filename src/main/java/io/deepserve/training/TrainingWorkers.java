package io.deepserve.training;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import ai.djl.Device;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import io.deepserve.config.DeepserveProperties;
import io.deepserve.inference.EngineService;
import io.deepserve.registry.ModelRegistry;
import io.deepserve.registry.NewModelVersion;
import io.deepserve.registry.Task;
import io.deepserve.training.TrainingJob.EpochResult;
import io.deepserve.training.TrainingJob.Progress;
import io.deepserve.training.TrainingJob.Status;

/**
 * A fixed number of worker threads, each taking the oldest QUEUED job from the table, having its task's
 * {@link TrainingTask} train it, registering the model, and going on. A job that throws fails alone. Several instances may share the table: each
 * job is leased to the instance running it, which renews the lease while it runs; any instance fails a job whose
 * lease expired, so a job is never run twice and never left RUNNING forever. At start, jobs this instance's
 * previous process left RUNNING are FAILED at once: nothing can resume them. Only a replica with the
 * {@code training} role runs workers.
 */
@Component
class TrainingWorkers {

	static final String INTERRUPTED = "interrupted by restart";

	static final String SHUTDOWN = "interrupted by shutdown";

	/** Renewing more often than this buys nothing and costs a write per running job. */
	private static final Duration MAX_RENEW_INTERVAL = Duration.ofSeconds(5);

	private static final Logger log = LoggerFactory.getLogger(TrainingWorkers.class);

	private static final long PROGRESS_WRITE_NANOS = TimeUnit.SECONDS.toNanos(1);

	private final TrainingJobs jobs;

	private final TrainingJobRepository repository;

	private final ModelRegistry registry;

	private final EngineService engine;

	private final DeepserveProperties properties;

	private final TrainingMetrics metrics;

	/** Every {@link TrainingTask} bean by its task. */
	private final Map<Task, TrainingTask> tasks;

	/**
	 * DJL's PyTorch gradient collector is process-wide: a second job collecting gradients at the same time fails
	 * ("Only one can be collecting at a time"). One job trains per process; fair, so waiting workers take turns.
	 */
	private static final ReentrantLock TRAINING = new ReentrantLock(true);

	private final Object signal = new Object();

	private final List<Thread> threads = new ArrayList<>();

	private final String owner;

	/** Jobs this instance runs, and whether their lease was lost to another instance. */
	private final Map<String, AtomicBoolean> running = new ConcurrentHashMap<>();

	private ScheduledExecutorService leases;

	private volatile boolean stopping;

	TrainingWorkers(TrainingJobs jobs, TrainingJobRepository repository, ModelRegistry registry, EngineService engine,
			DeepserveProperties properties, TrainingMetrics metrics, List<TrainingTask> tasks) {
		this.jobs = jobs;
		this.repository = repository;
		this.registry = registry;
		this.engine = engine;
		this.properties = properties;
		this.metrics = metrics;
		this.tasks = new EnumMap<>(tasks.stream().collect(Collectors.toMap(TrainingTask::task, t -> t)));
		this.owner = instanceId(properties);
	}

	/** Stable across restarts unless configured otherwise, so a restarted instance recognises its own jobs. */
	private static String instanceId(DeepserveProperties properties) {
		String configured = properties.training().instanceId();
		if (!configured.isBlank()) {
			return configured;
		}
		String host;
		try {
			host = InetAddress.getLocalHost().getHostName();
		}
		catch (UnknownHostException ex) {
			host = "localhost";
		}
		return host + ":" + properties.dataDir().toAbsolutePath().normalize();
	}

	String owner() {
		return owner;
	}

	@EventListener(ApplicationReadyEvent.class)
	synchronized void start() {
		if (leases != null) {
			return;
		}
		// every role reaps expired leases: a serving replica notices a lost trainer as well as another trainer does
		Duration lease = properties.training().leaseTimeout();
		Duration every = lease.dividedBy(4).compareTo(MAX_RENEW_INTERVAL) > 0 ? MAX_RENEW_INTERVAL
				: lease.dividedBy(4);
		leases = Executors.newSingleThreadScheduledExecutor(r -> {
			Thread thread = new Thread(r, "training-leases");
			thread.setDaemon(true);
			return thread;
		});
		leases.scheduleWithFixedDelay(this::renewAndReap, 0, every.toMillis(), TimeUnit.MILLISECONDS);
		if (!properties.hasRole(DeepserveProperties.Role.TRAINING)) {
			log.info("not a training replica: training jobs run on instances with the training role");
			return;
		}
		int failed = repository.failRunningOf(owner, INTERRUPTED);
		if (failed > 0) {
			log.warn("{} training job(s) left RUNNING by this instance's previous process are now FAILED", failed);
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

	/**
	 * Takes no more jobs and stops the running ones at their next batch, FAILED "interrupted by shutdown". One
	 * that does not stop in time is failed here, so it is not left to wait for its lease to expire.
	 */
	@PreDestroy
	void stop() throws InterruptedException {
		stopping = true;
		synchronized (signal) {
			signal.notifyAll();
		}
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		for (Thread thread : threads) {
			thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
		}
		for (String id : running.keySet()) {
			if (repository.finishOwned(id, owner, Status.FAILED, null, SHUTDOWN)) {
				log.warn("training job {} did not stop in time and is FAILED", id);
			}
		}
		if (leases != null) {
			leases.shutdownNow();
		}
	}

	private void renewAndReap() {
		try {
			for (Map.Entry<String, AtomicBoolean> job : running.entrySet()) {
				switch (repository.renew(job.getKey(), owner)) {
					case LOST -> job.getValue().set(true);
					case CANCEL_REQUESTED -> jobs.requestedElsewhere(job.getKey());
					case HELD -> {
					}
				}
			}
			int lost = repository.failExpired(Instant.now().minus(properties.training().leaseTimeout()));
			if (lost > 0) {
				log.warn("{} training job(s) whose worker stopped renewing its lease are now FAILED", lost);
			}
		}
		catch (RuntimeException ex) {
			// the database may be briefly unreachable; the lease timeout leaves room for a missed renewal or two
			log.warn("could not renew training job leases: {}", ex.getMessage());
		}
	}

	private void work() {
		long poll = properties.training().pollInterval().toMillis();
		while (!stopping) {
			Optional<TrainingJob> claimed = Optional.empty();
			try {
				// a job is claimed only once this thread may train, so no claimed job waits RUNNING for the engine
				if (!TRAINING.tryLock(poll, TimeUnit.MILLISECONDS)) {
					continue;
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
			try {
				if (!stopping) {
					claimed = repository.claimOldest(owner);
					claimed.ifPresent(this::run);
				}
			}
			catch (RuntimeException ex) {
				log.warn("could not look for training jobs: {}", ex.getMessage());
			}
			finally {
				TRAINING.unlock();
			}
			if (claimed.isPresent()) {
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
		AtomicBoolean lost = new AtomicBoolean();
		running.put(job.id(), lost);
		Path work = null;
		try {
			work = Files.createTempDirectory(Files.createDirectories(properties.cacheDir().resolve("training")),
					job.id());
			Path dir = work;
			String result = onJobThread(job, () -> train(job, dir, lost));
			log.info("training job {} succeeded: {}", job.id(), result);
		}
		catch (JobCancelledException ex) {
			if (lost.get()) {
				log.warn("training job {} stopped: another instance found its lease expired and failed it", job.id());
			}
			else if (stopping) {
				finish(job, Status.FAILED, null, SHUTDOWN);
			}
			else {
				finish(job, Status.CANCELLED, null, null);
				log.info("training job {} cancelled", job.id());
			}
		}
		catch (Exception | Error ex) {
			log.warn("training job {} failed", job.id(), ex);
			finish(job, Status.FAILED, null, describe(ex));
		}
		finally {
			running.remove(job.id());
			metrics.ended(job.model());
			jobs.forget(job.id());
			deleteQuietly(work);
		}
	}

	/** Runs a job's engine work on a thread that ends with the job, and its OpenMP team with it (BENCHMARKS.md). */
	private String onJobThread(TrainingJob job, Callable<String> work) throws Exception {
		FutureTask<String> task = new FutureTask<>(work);
		Thread thread = new Thread(task, "training-job-" + job.id());
		thread.setDaemon(true);
		thread.start();
		boolean interrupted = false;
		try {
			while (true) {
				try {
					return task.get();
				}
				catch (InterruptedException ex) {
					// nothing interrupts a worker today; should something, the job is told and still awaited
					interrupted = true;
					thread.interrupt();
				}
				catch (ExecutionException ex) {
					if (ex.getCause() instanceof Exception failure) {
						throw failure;
					}
					throw (Error) ex.getCause();
				}
			}
		}
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

	private void finish(TrainingJob job, Status to, String result, String error) {
		if (!repository.finishOwned(job.id(), owner, to, result, error)) {
			log.warn("training job {} was no longer this instance's to finish as {}", job.id(), to);
		}
	}

	private String train(TrainingJob job, Path work, AtomicBoolean lost) throws IOException {
		Device device = device(job.request().deviceOrDefault());
		repository.started(job.id(), device.isGpu() ? "gpu" : "cpu");
		Listener listener = new Listener(job, lost);
		TrainingTask.TrainedModel trained = tasks.get(job.task()).train(job, device, work, listener);
		listener.flush();
		return register(job, trained, work, lost);
	}

	private String register(TrainingJob job, TrainingTask.TrainedModel trained, Path work, AtomicBoolean lost)
			throws IOException {
		Path zip = work.resolve("model.zip");
		zip(trained.modelDir(), zip);
		try (InputStream in = Files.newInputStream(zip)) {
			return publish(job, trained.spec(), in, lost);
		}
	}

	/**
	 * Registers a job's model and finishes the job SUCCEEDED in one transaction, so that a job cancelled or lost
	 * before it commits registers nothing.
	 * @throws JobCancelledException when the job was cancelled or lost first
	 */
	String publish(TrainingJob job, NewModelVersion spec, InputStream artifact, AtomicBoolean lost)
			throws IOException {
		// checked first too, so a cancelled or lost job does not store its artifact only to throw it away
		switch (repository.renew(job.id(), owner)) {
			case LOST -> {
				lost.set(true);
				throw new JobCancelledException();
			}
			case CANCEL_REQUESTED -> throw new JobCancelledException();
			case HELD -> {
			}
		}
		return registry.register(job.model(), spec, artifact, version -> {
			if (!repository.succeedOwned(job.id(), owner, version.ref())) {
				throw new JobCancelledException();
			}
		}).ref();
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

		private final AtomicBoolean lost;

		Listener(TrainingJob job, AtomicBoolean lost) {
			this.id = job.id();
			this.model = job.model();
			this.lost = lost;
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
			return stopping || lost.get() || jobs.cancelRequested(id);
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
