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

	private final CompletableFuture<BatchingPool<?, ?>> pool = new CompletableFuture<>();

	private final AtomicInteger holders = new AtomicInteger();

	private volatile Model model;

	private volatile long lastUsedNanos = System.nanoTime();

	/** The settings its pool started with, once loaded. */
	private volatile PoolSettings settings;

	/** What the tuning search at load did; null where the task does not tune. */
	private volatile ServingTuner.Tuning tuning;

	/** How its reduced precision compared with fp32 at load; null at fp32. */
	private volatile Agreement agreement;

	LoadedModel(ModelVersion version, ServingTask<?, ?> task, InferenceMetrics metrics) {
		this.version = version;
		this.task = task;
		this.metrics = metrics;
	}

	/** Loads the weights and starts a warm pool; called once, off the request threads. */
	<I, O> void load(Model loaded, ServingTask<I, O> typed, PoolSettings settings, ServingTuner.Tuning tuning,
			Agreement agreement) {
		this.model = loaded;
		this.settings = settings;
		this.tuning = tuning;
		this.agreement = agreement;
		try {
			BatchingPool<I, O> started = new BatchingPool<>(version.ref(), settings, metrics::batch, holders::get);
			started.start(() -> {
				if (settings.threads() > 0) {
					OpenMpTeams.limitCurrentThread(settings.threads());
				}
				return settings.channelsLastFromBatch() < 0 ? typed.newHandler(loaded, version)
						: typed.newHandler(loaded, version, settings.channelsLastFromBatch());
			}, typed.warmupInput(version));
			pool.complete(started);
		}
		catch (RuntimeException | Error ex) {
			this.model = null;
			loaded.close();
			pool.completeExceptionally(ex);
			throw ex;
		}
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
		pool.completeExceptionally(ex);
	}

	CompletableFuture<BatchingPool<?, ?>> pool() {
		return pool;
	}

	int queueDepth() {
		return isReady() ? pool.join().queueDepth() : 0;
	}

	int liveWorkers() {
		return isReady() ? pool.join().liveWorkers() : 0;
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
		return pool.isDone() && !pool.isCompletedExceptionally();
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
			BatchingPool<?, ?> p = pool.join();
			p.stop(Duration.ofNanos(Math.max(0, until - System.nanoTime())));
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
