package io.deepserve.inference;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import ai.djl.Model;

import io.deepserve.registry.ModelVersion;

/**
 * One version in memory: its DJL model, its pool once loaded and warm, and how many requests hold it. A version
 * is closed only when no request holds it, so unloading or replacing it never fails a request already accepted.
 */
final class LoadedModel {

	private final ModelVersion version;

	private final ServingTask<?, ?> task;

	private final InferenceMetrics metrics;

	/** Done once the version is loaded and its first pool warm; failed if it could not load. */
	private final CompletableFuture<Void> loading = new CompletableFuture<>();

	private final AtomicInteger holders = new AtomicInteger();

	private volatile Model model;

	private volatile long lastUsedNanos = System.nanoTime();

	/** The settings its pool runs with, once loaded: tuned at load, or changed by a re-check under load since. */
	private volatile PoolSettings settings;

	/** What the tuning search at load did; null where the task does not tune. */
	private volatile ServingTuner.Tuning tuning;

	/** How its reduced precision compared with fp32 at load; null at fp32. */
	private volatile Agreement agreement;

	/** The pool requests go to: the one started at load, or the one a re-check under load started since. */
	private volatile BatchingPool<?, ?> current;

	/** What a re-check under load found last; null until one ran. */
	private volatile ServingRecheck.Result recheck;

	/** Set when it closes, after which its settings no longer change. */
	private volatile boolean closed;

	LoadedModel(ModelVersion version, ServingTask<?, ?> task, InferenceMetrics metrics) {
		this.version = version;
		this.task = task;
		this.metrics = metrics;
	}

	/** Takes the loaded weights and starts a warm pool of its task's handlers; called once, off the request threads. */
	void load(Model loaded, PoolSettings settings, ServingTuner.Tuning tuning, Agreement agreement) {
		this.model = loaded;
		this.settings = settings;
		this.tuning = tuning;
		this.agreement = agreement;
		try {
			current = startPool(loaded, task, settings);
			loading.complete(null);
		}
		catch (RuntimeException | Error ex) {
			this.model = null;
			loaded.close();
			loading.completeExceptionally(ex);
			throw ex;
		}
	}

	/** A started, warm pool of {@code loaded} with {@code settings}. */
	private <I, O> BatchingPool<I, O> startPool(Model loaded, ServingTask<I, O> typed, PoolSettings settings) {
		BatchingPool<I, O> started = new BatchingPool<>(version.ref(), settings, metrics::batch, holders::get);
		boolean shared = sharesCores(settings);
		started.start(() -> {
			if (settings.threads() > 0) {
				OpenMpTeams.limitCurrentThread(settings.threads());
			}
			BatchHandler<I, O> handler = settings.channelsLastFromBatch() < 0 ? typed.newHandler(loaded, version)
					: typed.newHandler(loaded, version, settings.channelsLastFromBatch());
			return shared ? new SharedCores<>(handler, started::liveWorkers, Runtime.getRuntime().availableProcessors(),
					settings.threads(), OpenMpTeams::limitCurrentThread) : handler;
		}, typed.warmupInput(version));
		return started;
	}

	/**
	 * Whether its workers' threads follow how many of them run ({@link SharedCores}): where a tuning search chose a
	 * share of the cores for each, rather than the version's own {@code serving.threads}.
	 */
	private boolean sharesCores(PoolSettings settings) {
		ServingTuner.Tuning tuned = tuning;
		return settings.threads() > 0 && settings.workers() > 1 && tuned != null && "tuned".equals(tuned.status())
				&& (version.serving() == null || !version.serving().containsKey(ServingTuner.THREADS));
	}

	/**
	 * Serves with {@code next} from now on: starts a warm pool with them, sends new requests there, and retires the
	 * pool it replaces into it (its queued requests run there or move over; none is refused). If the new pool cannot
	 * start, the old one serves on and this throws.
	 */
	synchronized void reconfigure(PoolSettings next, Duration drain) {
		if (!isReady() || closed) {
			throw new IllegalStateException(version.ref() + " is not serving, so its settings cannot change");
		}
		BatchingPool<?, ?> old = current;
		BatchingPool<?, ?> started = startPool(model, task, next);
		current = started;
		settings = next;
		retire(old, started, drain);
	}

	@SuppressWarnings("unchecked")
	private static <I, O> void retire(BatchingPool<I, O> old, BatchingPool<?, ?> next, Duration drain) {
		old.retireTo((BatchingPool<I, O>) next, drain);
	}

	/** This version as a re-check under load sees it; {@code drain} bounds each change of pool. */
	ServingRecheck.Subject recheckSubject(Duration drain) {
		return new ServingRecheck.Subject() {
			@Override
			public String ref() {
				return version.ref();
			}

			@Override
			public PoolSettings settings() {
				return settings;
			}

			@Override
			public ServingTuner.Tuning tuning() {
				return tuning;
			}

			@Override
			public boolean saturated() {
				return current.saturated();
			}

			@Override
			public long answered() {
				return current.answered();
			}

			@Override
			public void reconfigure(PoolSettings next) {
				LoadedModel.this.reconfigure(next, drain);
			}
		};
	}

	/** The pool that takes its requests now; null until loaded. */
	BatchingPool<?, ?> current() {
		return current;
	}

	/** What a re-check under load found last; null until one ran. */
	ServingRecheck.Result recheck() {
		return recheck;
	}

	void rechecked(ServingRecheck.Result result) {
		this.recheck = result;
	}

	/** The settings its pool runs with; null until loaded. */
	PoolSettings settings() {
		return settings;
	}

	ServingTuner.Tuning tuning() {
		return tuning;
	}

	Agreement agreement() {
		return agreement;
	}

	void failed(Throwable ex) {
		loading.completeExceptionally(ex);
	}

	/** Done once it is loaded and warm ({@link #current} then serves), failed if it could not load. */
	CompletableFuture<Void> loading() {
		return loading;
	}

	int queueDepth() {
		return isReady() ? current.queueDepth() : 0;
	}

	int liveWorkers() {
		return isReady() ? current.liveWorkers() : 0;
	}

	void hold() {
		holders.incrementAndGet();
		lastUsedNanos = System.nanoTime();
	}

	/** Used until now too: a request that waited for a slow load (a tuning search, say) must not leave it idle. */
	void release() {
		lastUsedNanos = System.nanoTime();
		holders.decrementAndGet();
	}

	boolean held() {
		return holders.get() > 0;
	}

	boolean isReady() {
		return loading.isDone() && !loading.isCompletedExceptionally();
	}

	long lastUsedNanos() {
		return lastUsedNanos;
	}

	ModelVersion version() {
		return version;
	}

	ServingTask<?, ?> task() {
		return task;
	}

	InferenceMetrics metrics() {
		return metrics;
	}

	/** Waits for the requests that hold this version (up to {@code drain}), then stops its workers and frees it. */
	void close(Duration drain) throws InterruptedException {
		long until = System.nanoTime() + drain.toNanos();
		while (held() && System.nanoTime() < until) {
			Thread.sleep(5);
		}
		try {
			loading.join();
			synchronized (this) {
				closed = true;
				current.stop(Duration.ofNanos(Math.max(0, until - System.nanoTime())));
			}
		}
		catch (RuntimeException ex) {
			// it never loaded: nothing to stop
		}
		finally {
			Model m = model;
			if (m != null) {
				m.close();
			}
		}
	}

}
