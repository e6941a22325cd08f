package io.deepserve.inference;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.function.ToIntFunction;

import ai.djl.Model;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;

import io.deepserve.config.DeepserveProperties;
import io.deepserve.error.DeepserveException;
import io.deepserve.error.InvalidInputException;
import io.deepserve.error.NotFoundException;
import io.deepserve.error.ServiceFailureException;
import io.deepserve.error.UnavailableException;
import io.deepserve.registry.AliasChangedEvent;
import io.deepserve.registry.ModelRef;
import io.deepserve.registry.ModelRegistry;
import io.deepserve.registry.ModelVersion;
import io.deepserve.registry.NewModelVersion;
import io.deepserve.registry.Task;
import io.deepserve.registry.VersionsChangedEvent;
import io.deepserve.storage.ChecksumMismatchException;

/**
 * The workload manager: which versions are in memory, which version each alias serves, and the way a request
 * reaches a version's {@link BatchingPool}. Versions load on first use; versions behind an alias load and warm
 * before the alias moves to them. Beyond {@code max-loaded-models}, or {@code max-loaded-bytes} of weights, the least
 * recently used version is unloaded, as is one idle for {@code idle-unload-after}. Task-agnostic: a
 * {@link ServingTask} brings the tensors.
 */
@Service
public class WorkloadManager {

	private static final Logger log = LoggerFactory.getLogger(WorkloadManager.class);

	private final ModelRegistry registry;

	private final ModelLoader loader;

	private final EngineService engine;

	private final DeepserveProperties.Inference settings;

	private final MeterRegistry meters;

	/** Every {@link ServingTask} bean by its task, so aliased versions can be warmed without a request. */
	private final Map<Task, ServingTask<?, ?>> tasks;

	/**
	 * Requests take the read lock while they resolve a reference and hold a version; alias switches and unloads
	 * take the write lock, so a version is never retired between a request choosing it and holding it.
	 */
	private final ReadWriteLock lock = new ReentrantReadWriteLock();

	private final Map<String, LoadedModel> loaded = new ConcurrentHashMap<>();

	/** {@code name@alias} to the version it serves; moves only once the new version is warm. */
	private final Map<String, Integer> routes = new ConcurrentHashMap<>();

	/**
	 * A bare model name without a production route to the version it resolved to, its newest READY one; forgotten
	 * when the name's versions or aliases change in this process, and at every sync for changes made elsewhere.
	 */
	private final Map<String, Integer> defaults = new ConcurrentHashMap<>();

	/** Counts changes to versions and aliases, so a resolution that raced one is not remembered. */
	private final AtomicLong changes = new AtomicLong();

	/** False on a replica with only the training role: it answers no inference request and loads nothing. */
	private final boolean serving;

	private final ExecutorService background = Executors.newCachedThreadPool(daemon("model-lifecycle"));

	private final ScheduledExecutorService idleCheck = Executors.newSingleThreadScheduledExecutor(daemon("idle-unload"));

	public WorkloadManager(ModelRegistry registry, ModelLoader loader, EngineService engine,
			DeepserveProperties properties, MeterRegistry meters, List<ServingTask<?, ?>> tasks) {
		this.registry = registry;
		this.tasks = tasks.stream().collect(java.util.stream.Collectors.toMap(ServingTask::task, t -> t));
		this.loader = loader;
		this.engine = engine;
		this.settings = properties.inference();
		this.meters = meters;
		this.serving = properties.hasRole(DeepserveProperties.Role.SERVING);
		Gauge.builder(InferenceMetrics.LOADED, loaded, Map::size)
			.description("Model versions loaded in memory")
			.register(meters);
		Gauge.builder(InferenceMetrics.LOADED_BYTES, this, WorkloadManager::loadedBytes)
			.description("Artifact bytes of the versions loaded in memory, the size of their weights")
			.baseUnit("bytes")
			.register(meters);
		Duration idle = settings.idleUnloadAfter();
		if (!idle.isZero()) {
			long every = Math.max(1, Math.min(60_000, idle.toMillis() / 4));
			idleCheck.scheduleWithFixedDelay(this::unloadIdle, every, every, TimeUnit.MILLISECONDS);
		}
		long sync = settings.aliasSyncInterval().toMillis();
		if (serving && sync > 0) {
			idleCheck.scheduleWithFixedDelay(this::syncWithRegistry, sync, sync, TimeUnit.MILLISECONDS);
		}
	}

	/**
	 * Resolves {@code ref}, holds that version (loading it if needed), prepares the inputs on the calling thread,
	 * queues them, and waits for their outputs.
	 * @param prepare checks and converts the request for the resolved version; may throw {@link DeepserveException}
	 */
	public <I, O> Inference<O> infer(String ref, ServingTask<I, O> task, Function<ModelVersion, List<I>> prepare) {
		LoadedModel model = hold(ref, task);
		InferenceMetrics metrics = model.metrics();
		try {
			long start = System.nanoTime();
			List<I> inputs = prepare.apply(model.version());
			long preprocess = System.nanoTime() - start;
			metrics.preprocessed(preprocess);
			@SuppressWarnings("unchecked")
			BatchingPool<I, O> pool = (BatchingPool<I, O>) awaitLoaded(model);
			List<CompletableFuture<BatchingPool.Result<O>>> pending = new ArrayList<>(inputs.size());
			for (I input : inputs) {
				pending.add(pool.submit(input));
			}
			List<O> outputs = new ArrayList<>(inputs.size());
			long queue = 0;
			long inference = 0;
			for (CompletableFuture<BatchingPool.Result<O>> future : pending) {
				BatchingPool.Result<O> result = await(future, pool.settings().timeout());
				metrics.ran(result.queueNanos(), result.inferenceNanos());
				outputs.add(result.output());
				queue = Math.max(queue, result.queueNanos());
				inference = Math.max(inference, result.inferenceNanos());
			}
			metrics.request("success");
			return new Inference<>(model.version(), outputs, millis(queue), millis(preprocess), millis(inference));
		}
		catch (DeepserveException ex) {
			metrics.request(ex.code());
			throw ex;
		}
		catch (RuntimeException ex) {
			metrics.request("error");
			throw ex;
		}
		finally {
			model.release();
		}
	}

	/**
	 * The version {@code ref} names, as serving sees it: aliases follow the warm routes, and only READY versions of
	 * the task are returned.
	 */
	public ModelVersion resolve(String ref, Task task) {
		ModelVersion version = resolve(ModelRef.parse(ref));
		requireServable(version, task);
		return version;
	}

	/** Whether {@code name:version} is loaded and warm now. */
	public boolean isLoaded(String name, int version) {
		LoadedModel model = loaded.get(name + ":" + version);
		return model != null && model.isReady();
	}

	private <I, O> LoadedModel hold(String ref, ServingTask<I, O> task) {
		if (!serving) {
			throw new UnavailableException("not_serving", "this replica only trains"
					+ " (deepserve.roles has no serving); send inference requests to a serving replica", 0);
		}
		lock.readLock().lock();
		try {
			ModelVersion version = resolve(ModelRef.parse(ref));
			requireServable(version, task.task());
			LoadedModel model = loaded.computeIfAbsent(version.ref(), key -> startLoading(version, task));
			model.hold();
			return model;
		}
		finally {
			lock.readLock().unlock();
		}
	}

	/**
	 * Reads the registry only for what is not in memory: versions are immutable, so a loaded version's own record
	 * serves every request for it, and aliases and bare names resolve through {@link #routes} and {@link #defaults}.
	 */
	private ModelVersion resolve(ModelRef ref) {
		String name = ref.name();
		if (ref.version() != null) {
			return known(name, ref.version());
		}
		String alias = ref.alias() != null ? ref.alias() : ModelRegistry.PRODUCTION;
		Integer routed = routes.get(name + "@" + alias);
		if (routed != null) {
			return known(name, routed);
		}
		if (ref.alias() == null) {
			Integer latest = defaults.get(name);
			if (latest != null) {
				return known(name, latest);
			}
		}
		long seen = changes.get();
		ModelVersion resolved = registry.resolve(ref);
		if (ref.alias() != null) {
			routes.putIfAbsent(name + "@" + ref.alias(), resolved.version());
		}
		else {
			defaults.put(name, resolved.version());
			if (changes.get() != seen) {
				// the name's versions or aliases changed while the registry was read: this answer may be stale
				defaults.remove(name, resolved.version());
			}
		}
		return resolved;
	}

	private ModelVersion known(String name, int version) {
		LoadedModel model = loaded.get(name + ":" + version);
		return model != null ? model.version() : registry.version(name, version);
	}

	private static void requireServable(ModelVersion version, Task task) {
		if (version.status() != ModelVersion.Status.READY) {
			throw new NotFoundException("model_not_found", version.ref() + " is " + version.status()
					+ ", not READY, so it cannot serve");
		}
		if (version.task() != task) {
			throw new InvalidInputException("wrong_task", version.ref() + " is a " + version.task() + " model; this "
					+ "endpoint serves " + task + " models");
		}
	}

	/** Runs inside {@code computeIfAbsent}, so it only schedules the load. */
	private LoadedModel startLoading(ModelVersion version, ServingTask<?, ?> task) {
		String ref = version.ref();
		LoadedModel model = new LoadedModel(version, task, new InferenceMetrics(meters, version,
				() -> current(ref, LoadedModel::queueDepth), () -> current(ref, LoadedModel::liveWorkers)));
		background.execute(() -> load(model));
		return model;
	}

	/** A gauge's reading of whichever copy of {@code ref} is loaded now; 0 while none is. */
	private int current(String ref, ToIntFunction<LoadedModel> reading) {
		LoadedModel now = loaded.get(ref);
		return now == null ? 0 : reading.applyAsInt(now);
	}

	private void load(LoadedModel model) {
		ModelVersion version = model.version();
		long start = System.nanoTime();
		try {
			Model djl = loader.load(spec(version), version.format(),
					registry.materialize(version), engine.engine().defaultDevice());
			PoolSettings pool = PoolSettings.of(version, settings);
			model.load(djl, model.task(), pool);
			log.info("{} loaded and warm in {} ms ({} workers, queue {}, batches up to {} within {} ms)",
					version.ref(), millis(System.nanoTime() - start), pool.workers(), pool.queueSize(),
					pool.maxBatchSize(), pool.maxBatchDelayMs());
			evictBeyondBudget(model);
		}
		catch (RuntimeException | Error ex) {
			log.error("{} could not be loaded", version.ref(), ex);
			model.failed(ex);
			loaded.remove(version.ref(), model);
		}
	}

	private static NewModelVersion spec(ModelVersion v) {
		return new NewModelVersion(v.task(), v.architecture(), v.inputShape(), v.labels(), v.preprocessing(),
				v.forecast(), v.metrics(), v.lineage(), v.serving(), v.parameters());
	}

	private BatchingPool<?, ?> awaitLoaded(LoadedModel model) {
		try {
			return model.pool().get(settings.requestTimeout().toMillis() + 600_000, TimeUnit.MILLISECONDS);
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof ChecksumMismatchException corrupted) {
				// the stored artifact no longer matches its digest: the client learns that, not a bare 500
				throw corrupted;
			}
			if (ex.getCause() instanceof DeepserveException api) {
				throw new ServiceFailureException("model_load_failed",
						model.version().ref() + " could not be loaded: " + api.getMessage());
			}
			throw new ServiceFailureException("model_load_failed",
					model.version().ref() + " could not be loaded; the server log has the details");
		}
		catch (TimeoutException ex) {
			throw new UnavailableException("model_loading",
					model.version().ref() + " is still loading", 5);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new UnavailableException("shutting_down",
					"the server is shutting down", 1);
		}
	}

	private static <O> BatchingPool.Result<O> await(CompletableFuture<BatchingPool.Result<O>> future,
			Duration timeout) {
		try {
			// a queued request is answered by its deadline; this bound only guards against a hung batch
			return future.get(timeout.toMillis() + 600_000, TimeUnit.MILLISECONDS);
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof DeepserveException api) {
				throw api;
			}
			throw new IllegalStateException(ex.getCause());
		}
		catch (TimeoutException ex) {
			throw new UnavailableException("deadline_exceeded", "no answer in time",
					1);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new UnavailableException("shutting_down",
					"the server is shutting down", 1);
		}
	}

	/**
	 * Moves an alias the way clients never notice: the new version is loaded and warmed first, then the route
	 * moves, then the old version drains its accepted requests and is closed. Runs before the registry's
	 * {@code PUT} returns, so once it has, traffic is on the new version.
	 */
	@EventListener
	void aliasChanged(AliasChangedEvent event) {
		if (!serving) {
			return;
		}
		forgetDefault(event.name());
		if (event.toVersion() != null) {
			warm(event.name(), event.toVersion());
		}
		String key = event.name() + "@" + event.alias();
		List<LoadedModel> retired = new ArrayList<>();
		lock.writeLock().lock();
		try {
			Integer old = event.toVersion() != null ? routes.put(key, event.toVersion()) : routes.remove(key);
			if (old != null && !old.equals(event.toVersion()) && !routed(event.name(), old)) {
				Optional.ofNullable(loaded.remove(event.name() + ":" + old)).ifPresent(retired::add);
			}
		}
		finally {
			lock.writeLock().unlock();
		}
		retired.forEach(this::retire);
	}

	/**
	 * A version registered or deleted here: bare names resolve afresh, and a deleted version stops serving at once
	 * (its accepted requests still get their answers).
	 */
	@EventListener
	void versionsChanged(VersionsChangedEvent event) {
		forgetDefault(event.name());
		if (event.deletedVersion() != null) {
			unloadDeleted(event.name() + ":" + event.deletedVersion());
		}
	}

	private void forgetDefault(String name) {
		changes.incrementAndGet();
		defaults.remove(name);
	}

	private void unloadDeleted(String ref) {
		LoadedModel gone;
		lock.writeLock().lock();
		try {
			gone = loaded.remove(ref);
		}
		finally {
			lock.writeLock().unlock();
		}
		if (gone != null) {
			log.info("unloading {}: deleted from the registry", ref);
			retire(gone);
		}
	}

	/**
	 * Another replica may have moved an alias, registered a version or deleted one: its events reached only its own
	 * process. Each alias move found in the database is applied here as if it had been published locally (warm
	 * first, then switch); bare names resolve afresh; a loaded version no longer in the registry is unloaded.
	 */
	void syncWithRegistry() {
		try {
			defaults.keySet().forEach(this::forgetDefault);
			Map<String, Integer> current = new java.util.HashMap<>();
			for (ModelRegistry.ModelSummary model : registry.list()) {
				model.aliases().forEach((alias, version) -> current.put(model.name() + "@" + alias, version));
			}
			for (Map.Entry<String, Integer> route : Map.copyOf(routes).entrySet()) {
				Integer now = current.get(route.getKey());
				if (!route.getValue().equals(now)) {
					int at = route.getKey().indexOf('@');
					aliasChanged(new AliasChangedEvent(route.getKey().substring(0, at),
							route.getKey().substring(at + 1), route.getValue(), now));
				}
			}
			for (LoadedModel model : List.copyOf(loaded.values())) {
				ModelVersion version = model.version();
				if (!registry.exists(version.name(), version.version())) {
					unloadDeleted(version.ref());
				}
			}
		}
		catch (RuntimeException ex) {
			log.warn("could not check the registry for changes made through other replicas: {}", ex.getMessage());
		}
	}

	/** Loads and warms the versions behind every alias, for readiness at start. */
	void warmAliased() {
		if (!serving) {
			return;
		}
		for (ModelRegistry.ModelSummary model : registry.list()) {
			model.aliases().forEach((alias, version) -> routes.put(model.name() + "@" + alias, version));
		}
		routes.entrySet()
			.stream()
			.map(e -> e.getKey().substring(0, e.getKey().indexOf('@')) + ":" + e.getValue())
			.distinct()
			.limit(settings.maxLoadedModels())
			.forEach(ref -> {
				int colon = ref.indexOf(':');
				warm(ref.substring(0, colon), Integer.parseInt(ref.substring(colon + 1)));
			});
	}

	private void warm(String name, int version) {
		try {
			ModelVersion v = registry.version(name, version);
			if (!tasks.containsKey(v.task())) {
				log.info("{}: nothing serves {} models yet, so it is not warmed", v.ref(), v.task());
				return;
			}
			LoadedModel model;
			lock.readLock().lock();
			try {
				model = loaded.computeIfAbsent(v.ref(), key -> startLoading(v, taskFor(v)));
				model.hold();
			}
			finally {
				lock.readLock().unlock();
			}
			try {
				awaitLoaded(model);
			}
			finally {
				model.release();
			}
		}
		catch (RuntimeException ex) {
			log.error("{}:{} could not be warmed; it will load on first use", name, version, ex);
		}
	}

	private ServingTask<?, ?> taskFor(ModelVersion version) {
		ServingTask<?, ?> task = tasks.get(version.task());
		if (task == null) {
			throw new IllegalStateException("no serving task for " + version.task());
		}
		return task;
	}

	private boolean routed(String name, int version) {
		return routes.entrySet()
			.stream()
			.anyMatch(e -> e.getValue() == version && e.getKey().startsWith(name + "@"));
	}

	private void evictBeyondBudget(LoadedModel justLoaded) {
		List<LoadedModel> retired = new ArrayList<>();
		lock.writeLock().lock();
		try {
			// unaliased versions go first, each group least recently used first
			List<LoadedModel> candidates = loaded.values()
				.stream()
				.filter(m -> m != justLoaded && m.isReady())
				.sorted(Comparator.comparing((LoadedModel m) -> routed(m.version().name(), m.version().version()))
					.thenComparingLong(LoadedModel::lastUsedNanos))
				.toList();
			for (int i = 0; overBudget() && i < candidates.size(); i++) {
				LoadedModel victim = candidates.get(i);
				if (loaded.remove(victim.version().ref(), victim)) {
					retired.add(victim);
				}
			}
		}
		finally {
			lock.writeLock().unlock();
		}
		retired.forEach(m -> {
			log.info("unloading {}: over the budget of {} versions or {} bytes of weights", m.version().ref(),
					settings.maxLoadedModels(), settings.maxLoadedBytes().toBytes());
			retire(m);
		});
		if (overBudget()) {
			log.warn("{} loaded versions hold {} bytes of weights, over the budget of {} bytes, with nothing idle left"
					+ " to unload", loaded.size(), loadedBytes(), settings.maxLoadedBytes().toBytes());
		}
	}

	private boolean overBudget() {
		long maxBytes = settings.maxLoadedBytes().toBytes();
		return loaded.size() > settings.maxLoadedModels() || maxBytes > 0 && loadedBytes() > maxBytes;
	}

	/** The weights in memory, counted as the artifact size of every loaded (or loading) version. */
	private long loadedBytes() {
		return loaded.values().stream().mapToLong(m -> m.version().sizeBytes()).sum();
	}

	private void unloadIdle() {
		long cutoff = System.nanoTime() - settings.idleUnloadAfter().toNanos();
		List<LoadedModel> retired = new ArrayList<>();
		lock.writeLock().lock();
		try {
			for (LoadedModel m : loaded.values()) {
				if (m.isReady() && !m.held() && m.lastUsedNanos() < cutoff
						&& !routed(m.version().name(), m.version().version())
						&& loaded.remove(m.version().ref(), m)) {
					retired.add(m);
				}
			}
		}
		finally {
			lock.writeLock().unlock();
		}
		retired.forEach(m -> {
			log.info("unloading {}: idle for {}", m.version().ref(), settings.idleUnloadAfter());
			retire(m);
		});
	}

	/** Already out of {@link #loaded}, so no new request can reach it; drains and closes in the background. */
	private void retire(LoadedModel model) {
		background.execute(() -> {
			try {
				model.close(settings.drainTimeout());
				log.info("{} drained and closed", model.version().ref());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			catch (RuntimeException ex) {
				log.warn("{} did not close cleanly", model.version().ref(), ex);
			}
		});
	}

	@PreDestroy
	void shutdown() {
		idleCheck.shutdownNow();
		List<LoadedModel> all = new ArrayList<>(loaded.values());
		loaded.clear();
		for (LoadedModel model : all) {
			try {
				model.close(settings.drainTimeout());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
			catch (RuntimeException ex) {
				log.warn("{} did not close cleanly", model.version().ref(), ex);
			}
		}
		background.shutdownNow();
	}

	private static double millis(long nanos) {
		return Math.round(nanos / 10_000.0) / 100.0;
	}

	private static java.util.concurrent.ThreadFactory daemon(String name) {
		return runnable -> {
			Thread thread = new Thread(runnable, name);
			thread.setDaemon(true);
			return thread;
		};
	}

}
