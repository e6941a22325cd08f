package io.deepserve.inference;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.function.ToIntFunction;

import ai.djl.Device;
import ai.djl.Model;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Service;

import io.deepserve.config.DeepserveProperties;
import io.deepserve.error.ConflictException;
import io.deepserve.error.DeepserveException;
import io.deepserve.error.ServiceFailureException;
import io.deepserve.error.UnavailableException;
import io.deepserve.registry.AliasChangedEvent;
import io.deepserve.registry.AliasTargetCheck;
import io.deepserve.registry.ModelRegistry;
import io.deepserve.registry.ModelVersion;
import io.deepserve.registry.NewModelVersion;
import io.deepserve.registry.Task;
import io.deepserve.registry.VersionsChangedEvent;

/**
 * The workload manager: which versions are in memory, and the way a request reaches a version's
 * {@link BatchingPool}. Which version a reference names is the {@link VersionRouter}'s to say; this moves an alias
 * there only once the new version is warm. Versions load on first use. Beyond {@code max-loaded-models}, or
 * {@code max-loaded-bytes} of weights, the least recently used version is unloaded, as is one idle for
 * {@code idle-unload-after}. Task-agnostic: a {@link ServingTask} brings the tensors.
 */
@Service
public class WorkloadManager implements AliasTargetCheck, SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(WorkloadManager.class);

	private final ModelRegistry registry;

	private final VersionRouter router;

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

	/** Why each version that failed its last load did, by {@code name:version}; readiness reports them. */
	private final Map<String, String> failures = new ConcurrentHashMap<>();

	/**
	 * Versions this replica will not serve at their precision, by {@code name:version}: measuring agreement again
	 * would cost the same minute of CPU and find the same, so their requests are refused at once until the version is
	 * deleted or the replica restarts.
	 */
	private final Map<String, ConflictException> refused = new ConcurrentHashMap<>();

	/** False on a replica with only the training role: it answers no inference request and loads nothing. */
	private final boolean serving;

	private final ServingTuner tuner;

	private final PrecisionConversion precisions;

	private volatile ExecutorService background;

	private volatile ScheduledExecutorService scheduler;

	/** Runs re-checks under load, whose windows would hold up the upkeep thread's work. */
	private volatile ScheduledExecutorService rechecker;

	/** The settings the operator set through {@code deepserve.inference.*}, which tuning leaves as they are. */
	@Autowired
	public WorkloadManager(ModelRegistry registry, VersionRouter router, ModelLoader loader, EngineService engine,
			DeepserveProperties properties, MeterRegistry meters, List<ServingTask<?, ?>> tasks,
			Environment environment) {
		this(registry, router, loader, engine, properties, meters, tasks, fixedByProperties(environment));
	}

	/** With no {@code deepserve.inference.*} property counted as set explicitly. */
	public WorkloadManager(ModelRegistry registry, VersionRouter router, ModelLoader loader, EngineService engine,
			DeepserveProperties properties, MeterRegistry meters, List<ServingTask<?, ?>> tasks) {
		this(registry, router, loader, engine, properties, meters, tasks, Set.of());
	}

	/**
	 * @param fixedByProperties the settings a tuning search leaves alone because their {@code deepserve.inference.*}
	 * property is set explicitly, by their {@code serving} keys ({@code workers}, {@code maxBatchSize},
	 * {@code channelsLastFromBatch})
	 */
	WorkloadManager(ModelRegistry registry, VersionRouter router, ModelLoader loader, EngineService engine,
			DeepserveProperties properties, MeterRegistry meters, List<ServingTask<?, ?>> tasks,
			Set<String> fixedByProperties) {
		this.tuner = new ServingTuner(properties.inference(), fixedByProperties,
				Runtime.getRuntime().availableProcessors());
		this.precisions = new PrecisionConversion(engine::bf16Refusal, engine::wrongResults,
				() -> engine.engine().defaultDevice().isGpu(), this::loadReference,
				properties.inference().agreementImages());
		this.registry = registry;
		this.router = router;
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
	}

	/**
	 * The tunable settings whose property is set in any source (relaxed names: {@code DEEPSERVE_INFERENCE_WORKERS}
	 * counts too), by their {@code serving} keys.
	 */
	static Set<String> fixedByProperties(Environment environment) {
		Map<String, String> properties = Map.of(ServingTuner.WORKERS, "deepserve.inference.workers",
				ServingTuner.MAX_BATCH_SIZE, "deepserve.inference.max-batch-size", ServingTuner.CHANNELS_LAST,
				"deepserve.inference.channels-last-from-batch");
		Set<String> fixed = new java.util.TreeSet<>();
		properties.forEach((key, property) -> {
			if (environment.containsProperty(property)) {
				fixed.add(key);
			}
		});
		return fixed;
	}

	@Override
	public void start() {
		background = Executors.newCachedThreadPool(daemon("model-lifecycle"));
		scheduler = Executors.newSingleThreadScheduledExecutor(daemon("model-upkeep"));
		Duration idle = settings.idleUnloadAfter();
		if (!idle.isZero()) {
			long every = Math.max(1, Math.min(60_000, idle.toMillis() / 4));
			scheduler.scheduleWithFixedDelay(this::unloadIdle, every, every, TimeUnit.MILLISECONDS);
		}
		long sync = settings.aliasSyncInterval().toMillis();
		if (serving && sync > 0) {
			scheduler.scheduleWithFixedDelay(this::syncWithRegistry, sync, sync, TimeUnit.MILLISECONDS);
		}
		long recheck = settings.recheckInterval().toMillis();
		if (serving && recheck > 0) {
			rechecker = Executors.newSingleThreadScheduledExecutor(daemon("serving-recheck"));
			rechecker.scheduleWithFixedDelay(this::recheckUnderLoad, recheck, recheck, TimeUnit.MILLISECONDS);
		}
	}

	/**
	 * Re-checks each loaded version's tuned settings under load, one version at a time ({@link ServingRecheck}).
	 * @return what each re-check found, by {@code name:version}
	 */
	Map<String, ServingRecheck.Result> recheckUnderLoad() {
		ServingRecheck recheck = new ServingRecheck(settings.recheckWindow());
		Map<String, ServingRecheck.Result> found = new java.util.TreeMap<>();
		for (LoadedModel model : List.copyOf(loaded.values())) {
			if (!model.isReady() || Thread.currentThread().isInterrupted()) {
				continue;
			}
			String ref = model.version().ref();
			try {
				ServingRecheck.Result result = recheck.recheck(model.recheckSubject(settings.drainTimeout()));
				if (result != null) {
					model.rechecked(result);
					found.put(ref, result);
					// a version that keeps up, checked every interval, would fill the log
					boolean measured = !"not-saturated".equals(result.status())
							&& !"no-alternative".equals(result.status());
					(measured ? log.atInfo() : log.atDebug()).log("{} re-checked under load: {} ({}); serving with {}",
							ref, result.status(), result.detail(), result.serving());
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			catch (RuntimeException ex) {
				log.warn("{}: the re-check under load failed", ref, ex);
			}
		}
		return found;
	}

	/** Started before the web server takes requests, stopped after it has drained them. */
	@Override
	public int getPhase() {
		return 0;
	}

	@Override
	public boolean isRunning() {
		ExecutorService running = background;
		return running != null && !running.isShutdown();
	}

	@Override
	public void stop() {
		scheduler.shutdownNow();
		if (rechecker != null) {
			rechecker.shutdownNow();
		}
		List<LoadedModel> all = new ArrayList<>(loaded.values());
		loaded.clear();
		for (LoadedModel model : all) {
			try {
				model.close(settings.drainTimeout());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				break;
			}
			catch (RuntimeException ex) {
				log.warn("{} did not close cleanly", model.version().ref(), ex);
			}
		}
		background.shutdownNow();
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

	/** The version {@code ref} names, as serving sees it: only READY versions of the task are returned. */
	public ModelVersion resolve(String ref, Task task) {
		requireServing();
		return router.resolve(ref, task);
	}

	/** The version {@code ref} names, of whatever task, for endpoints that serve every task. */
	public ModelVersion resolve(String ref) {
		requireServing();
		return router.resolve(ref);
	}

	/** Most inputs {@code version} may have waiting: a request with more could never be queued whole. */
	public int queueSize(ModelVersion version) {
		return PoolSettings.of(version, settings).queueSize();
	}

	private void requireServing() {
		if (!serving) {
			throw new UnavailableException("not_serving", "this replica only trains"
					+ " (deepserve.roles has no serving); send inference requests to a serving replica", 0);
		}
	}

	/** Whether {@code name:version} is loaded and warm now. */
	public boolean isLoaded(String name, int version) {
		LoadedModel model = loaded.get(name + ":" + version);
		return model != null && model.isReady();
	}

	private <I, O> LoadedModel hold(String ref, ServingTask<I, O> task) {
		requireServing();
		lock.readLock().lock();
		try {
			return holdLoading(router.resolve(ref, task.task()), task);
		}
		finally {
			lock.readLock().unlock();
		}
	}

	/** Call with the read lock held. */
	private LoadedModel holdLoading(ModelVersion version, ServingTask<?, ?> task) {
		if (!isRunning()) {
			throw new UnavailableException("shutting_down", "the server is shutting down", 1);
		}
		ConflictException refusal = refused.get(version.ref());
		if (refusal != null) {
			throw new ConflictException(refusal.code(), refusal.getMessage());
		}
		LoadedModel model = loaded.computeIfAbsent(version.ref(), key -> startLoading(version, task));
		model.hold();
		return model;
	}

	/**
	 * Loads and warms a version before an alias moves onto it, waiting at most {@code alias-warmup-timeout}: a
	 * version that fails keeps the alias where it was, and one still loading goes on loading for the next try.
	 */
	@Override
	public void prepare(ModelVersion target) {
		ServingTask<?, ?> task = tasks.get(target.task());
		if (!serving || task == null) {
			return;
		}
		LoadedModel model;
		lock.readLock().lock();
		try {
			model = holdLoading(target, task);
		}
		finally {
			lock.readLock().unlock();
		}
		Duration timeout = settings.aliasWarmupTimeout();
		try {
			model.loading().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof ConflictException conflict) {
				throw conflict;
			}
			throw new ConflictException("warmup_failed", target.ref() + " could not be loaded and warmed, so the "
					+ "alias was not moved: " + failures.getOrDefault(target.ref(), "see the server log"));
		}
		catch (TimeoutException ex) {
			throw new UnavailableException("model_loading", target.ref() + " is not warm after " + timeout
					+ " (deepserve.inference.alias-warmup-timeout), so the alias was not moved; it goes on loading, "
					+ "try again shortly", 5);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new UnavailableException("shutting_down", "the server is shutting down", 1);
		}
		finally {
			model.release();
		}
	}

	/** Runs inside {@code computeIfAbsent}, so it only schedules the load. */
	private LoadedModel startLoading(ModelVersion version, ServingTask<?, ?> task) {
		String ref = version.ref();
		LoadedModel model = new LoadedModel(version, task, new InferenceMetrics(meters, version,
				() -> current(ref, LoadedModel::queueDepth), () -> current(ref, LoadedModel::liveWorkers)));
		settingGauges(version);
		background.execute(() -> load(model));
		return model;
	}

	/**
	 * The settings the version's pool runs with, tuned or configured, as gauges tagged {@code setting}; 0 while it is
	 * not loaded. Registered once per version: a later registration finds the first.
	 */
	private void settingGauges(ModelVersion version) {
		String ref = version.ref();
		Map<String, ToIntFunction<PoolSettings>> readings = Map.of(ServingTuner.WORKERS, PoolSettings::workers,
				ServingTuner.THREADS, PoolSettings::threads, ServingTuner.MAX_BATCH_SIZE, PoolSettings::maxBatchSize,
				ServingTuner.CHANNELS_LAST, PoolSettings::channelsLastFromBatch);
		readings.forEach((setting, reading) -> Gauge
			.builder(InferenceMetrics.SERVING_SETTING, () -> current(ref, m -> m.settings() == null ? 0
					: reading.applyAsInt(m.settings())))
			.description("A serving setting the version's pool runs with, as tuned at load or configured "
					+ "(channelsLastFromBatch -1: the task's own)")
			.tags("model", version.name(), "version", Integer.toString(version.version()), "setting", setting)
			.register(meters));
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
			precisions.requireAvailable(model.task(), version);
			Model djl = loader.load(spec(version), version.format(),
					registry.materialize(version), engine.engine().defaultDevice());
			Agreement agreement;
			try {
				agreement = precisions.apply(djl, model.task(), version);
			}
			catch (RuntimeException | Error ex) {
				djl.close();
				throw ex;
			}
			PoolSettings configured = PoolSettings.of(version, settings, model.task().defaultThreads());
			ServingTuner.Tuned tuned = tuner.tune(djl, model.task(), version, configured, () -> othersInFlight(model));
			PoolSettings pool = tuned.settings();
			model.load(djl, pool, tuned.tuning(), agreement);
			failures.remove(version.ref());
			log.info("{} loaded and warm in {} ms ({} workers of {} threads, queue {}, batches up to {} within {} ms{}){}",
					version.ref(), millis(System.nanoTime() - start), pool.workers(),
					pool.threads() == 0 ? "the engine's" : pool.threads(), pool.queueSize(), pool.maxBatchSize(),
					pool.maxBatchDelayMs(), (pool.channelsLastFromBatch() > 0
							? ", channels-last from batch " + pool.channelsLastFromBatch() : "")
							+ (agreement != null ? ", " + agreement.precision() : ""),
					describe(tuned.tuning()));
			evictBeyondBudget(model);
		}
		catch (RuntimeException | Error ex) {
			String reason = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
			if (ex instanceof ConflictException conflict && PrecisionConversion.REFUSALS.contains(conflict.code())) {
				refused.put(version.ref(), conflict);
			}
			if (failures.put(version.ref(), reason) == null) {
				log.error("{} could not be loaded", version.ref(), ex);
			}
			else {
				log.warn("{} still cannot be loaded: {}", version.ref(), reason);
			}
			model.failed(ex);
			loaded.remove(version.ref(), model);
		}
	}

	/** For the load log line: what tuning chose and its table, fastest first. */
	private static String describe(ServingTuner.Tuning tuning) {
		if (tuning == null) {
			return "";
		}
		StringBuilder out = new StringBuilder("; tuning ").append(tuning.status()).append(": ").append(tuning.detail());
		if (!tuning.table().isEmpty()) {
			out.append(" in ").append(tuning.tookMillis()).append(" ms; measured ").append(tuning.table());
		}
		return out.toString();
	}

	/** Requests held by loaded versions other than {@code loading}: a tuning search waits for them to finish. */
	private int othersInFlight(LoadedModel loading) {
		int held = 0;
		for (LoadedModel other : loaded.values()) {
			if (other != loading && other.held()) {
				held++;
			}
		}
		return held;
	}

	/**
	 * What tuning did for each loaded version, by {@code name:version}: its status, chosen settings and measured
	 * table (versions whose task does not tune are absent).
	 */
	Map<String, ServingTuner.Tuning> tunings() {
		return ofReady(LoadedModel::tuning);
	}

	/** What the last re-check under load found for each loaded version that had one, by {@code name:version}. */
	Map<String, ServingRecheck.Result> rechecks() {
		return ofReady(LoadedModel::recheck);
	}

	/** How each loaded version served at a reduced precision compared with fp32 at load, by {@code name:version}. */
	Map<String, Agreement> agreements() {
		return ofReady(LoadedModel::agreement);
	}

	/** {@code reading} of each loaded and warm version that has one, by {@code name:version}. */
	private <T> Map<String, T> ofReady(Function<LoadedModel, T> reading) {
		Map<String, T> out = new java.util.TreeMap<>();
		loaded.forEach((ref, model) -> {
			T value = model.isReady() ? reading.apply(model) : null;
			if (value != null) {
				out.put(ref, value);
			}
		});
		return out;
	}

	/** The agreement measured when {@code version} loaded here; null at fp32 or while it is not loaded. */
	public Agreement agreement(ModelVersion version) {
		LoadedModel model = loaded.get(version.ref());
		return model == null || !model.isReady() ? null : model.agreement();
	}

	/** A version an int8 version is measured against, loaded on the CPU, where int8 runs. */
	private PrecisionConversion.Reference loadReference(String ref) {
		ModelVersion version = registry.resolve(ref);
		return new PrecisionConversion.Reference(version,
				loader.load(spec(version), version.format(), registry.materialize(version), Device.cpu()));
	}

	private static NewModelVersion spec(ModelVersion v) {
		return new NewModelVersion(v.task(), v.architecture(), v.inputShape(), v.labels(), v.preprocessing(),
				v.forecast(), v.metrics(), v.lineage(), v.serving(), v.parameters());
	}

	private BatchingPool<?, ?> awaitLoaded(LoadedModel model) {
		try {
			model.loading().get(settings.requestTimeout().toMillis() + 600_000, TimeUnit.MILLISECONDS);
			return model.current();
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof ConflictException conflict) {
				// the stored artifact is gone or no longer matches its digest: the client learns which, not a bare 500
				throw conflict;
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
	 * Moves an alias the way clients never notice: the new version was warmed by {@link #prepare} before the
	 * registry moved the alias, so the route moves now, and the old version drains its accepted requests and is
	 * closed.
	 */
	@EventListener
	void aliasChanged(AliasChangedEvent event) {
		if (serving) {
			switchRoute(event.name(), event.alias(), event.toVersion(), -1);
		}
	}

	/**
	 * Routes {@code name@alias} to {@code to} and retires the version it leaves. With {@code ifUnchangedSince} at 0 or
	 * more, only if the router saw no change since then: a registry snapshot read before a move made here must not
	 * move the alias back.
	 * @return whether the route was switched
	 */
	private boolean switchRoute(String name, String alias, Integer to, long ifUnchangedSince) {
		ModelVersion target = to == null ? null : registry.version(name, to);
		List<LoadedModel> retired = new ArrayList<>();
		lock.writeLock().lock();
		try {
			if (ifUnchangedSince >= 0 && router.changes() != ifUnchangedSince) {
				return false;
			}
			ModelVersion old = router.routes().get(name + "@" + alias);
			router.route(name, alias, target);
			if (old != null && !Integer.valueOf(old.version()).equals(to) && !router.routed(name, old.version())) {
				Optional.ofNullable(loaded.remove(old.ref())).ifPresent(retired::add);
			}
		}
		finally {
			lock.writeLock().unlock();
		}
		retired.forEach(this::retire);
		return true;
	}

	/**
	 * A version registered or deleted here: bare names resolve afresh, and a deleted version stops serving at once
	 * (its accepted requests still get their answers).
	 */
	@EventListener
	void versionsChanged(VersionsChangedEvent event) {
		router.versionsChanged(event.name(), event.deletedVersion());
		if (event.deletedVersion() != null) {
			unloadDeleted(event.name() + ":" + event.deletedVersion());
		}
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
		failures.remove(ref);
		refused.remove(ref);
		if (gone != null) {
			log.info("unloading {}: deleted from the registry", ref);
			retire(gone);
		}
	}

	/**
	 * Another replica may have moved an alias, registered a version or deleted one: its events reached only its own
	 * process. Each alias move found in the database is applied here as if it had been made here (warm first, then
	 * switch); bare names resolve afresh; a loaded version no longer in the registry is unloaded. A version behind
	 * {@code production} that failed to load is tried again.
	 */
	void syncWithRegistry() {
		try {
			router.forgetUnrouted();
			long seen = router.changes();
			Map<String, Integer> current = new java.util.HashMap<>();
			for (ModelRegistry.ModelSummary model : registry.list()) {
				model.aliases().forEach((alias, version) -> current.put(model.name() + "@" + alias, version));
			}
			for (Map.Entry<String, ModelVersion> routed : router.routes().entrySet()) {
				String route = routed.getKey();
				ModelVersion version = routed.getValue();
				Integer now = current.get(route);
				String name = version.name();
				if (!Integer.valueOf(version.version()).equals(now)) {
					if (now != null) {
						warm(name, now);
					}
					if (switchRoute(name, route.substring(route.indexOf('@') + 1), now, seen)) {
						seen = router.changes();
					}
				}
				else if (failures.containsKey(version.ref()) && route.endsWith("@" + ModelRegistry.PRODUCTION)) {
					warm(name, now);
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

	/** Routes every alias and loads and warms the versions behind them, for readiness at start. */
	void warmAliased() {
		if (!serving) {
			return;
		}
		for (ModelRegistry.ModelSummary model : registry.list()) {
			model.aliases().forEach((alias, version) -> router.route(model.name(), alias,
					registry.version(model.name(), version)));
		}
		router.routes()
			.values()
			.stream()
			.distinct()
			.limit(settings.maxLoadedModels())
			.forEach(v -> warm(v.name(), v.version()));
	}

	/**
	 * The versions behind {@code production} aliases whose last load failed, {@code name@production} to why: while
	 * any is, readiness is DOWN, so a rollout stops instead of sending traffic to a replica that cannot answer it.
	 */
	Map<String, String> failedProduction() {
		Map<String, String> failed = new java.util.TreeMap<>();
		router.routes().forEach((route, version) -> {
			String reason = failures.get(version.ref());
			if (reason != null && route.endsWith("@" + ModelRegistry.PRODUCTION)) {
				failed.put(route, version.ref() + ": " + reason);
			}
		});
		return failed;
	}

	/** Off the request threads: a failure is logged (and reported by readiness), not thrown. */
	private void warm(String name, int version) {
		try {
			ModelVersion v = registry.version(name, version);
			ServingTask<?, ?> task = tasks.get(v.task());
			if (task == null) {
				log.info("{}: nothing serves {} models yet, so it is not warmed", v.ref(), v.task());
				return;
			}
			LoadedModel model;
			lock.readLock().lock();
			try {
				model = holdLoading(v, task);
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
			log.warn("{}:{} could not be warmed: {}", name, version, ex.getMessage());
		}
	}

	private void evictBeyondBudget(LoadedModel justLoaded) {
		List<LoadedModel> retired = new ArrayList<>();
		lock.writeLock().lock();
		try {
			// unaliased versions go first, each group least recently used first
			List<LoadedModel> candidates = loaded.values()
				.stream()
				.filter(m -> m != justLoaded && m.isReady())
				.sorted(Comparator.comparing((LoadedModel m) -> router.routed(m.version().name(), m.version().version()))
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
						&& !router.routed(m.version().name(), m.version().version())
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
