package io.deepserve.inference;

import java.time.Duration;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.deepserve.config.DeepserveProperties;
import io.deepserve.registry.ModelVersion;

/** A version's serving settings: its {@code serving} map over the global {@code deepserve.inference} defaults. */
record PoolSettings(int workers, int queueSize, int maxBatchSize, int maxBatchDelayMs, Duration timeout,
		int threads, int channelsLastFromBatch) {

	/** The task's own channels-last threshold: {@link ServingTask#channelsLastFromBatch()}. */
	static final int TASK_CHANNELS_LAST = -1;

	PoolSettings(int workers, int queueSize, int maxBatchSize, int maxBatchDelayMs, Duration timeout, int threads) {
		this(workers, queueSize, maxBatchSize, maxBatchDelayMs, timeout, threads, TASK_CHANNELS_LAST);
	}

	/** These settings with a tuning search's choice of workers, threads, batch size and memory order. */
	PoolSettings with(int workers, int threads, int maxBatchSize, int channelsLastFromBatch) {
		return new PoolSettings(workers, queueSize, maxBatchSize, maxBatchDelayMs, timeout, threads,
				channelsLastFromBatch);
	}

	private static final Logger log = LoggerFactory.getLogger(PoolSettings.class);

	/** With the engine's threads per worker, for a caller that only reads the queue settings. */
	static PoolSettings of(ModelVersion version, DeepserveProperties.Inference defaults) {
		return of(version, defaults, 0);
	}

	/** @param defaultThreads the task's threads per worker where the version names none (0: the engine's) */
	static PoolSettings of(ModelVersion version, DeepserveProperties.Inference defaults, int defaultThreads) {
		Map<String, Object> serving = version.serving() != null ? version.serving() : Map.of();
		return new PoolSettings(read(version, serving, "workers", defaults.workers(), 1, 64),
				read(version, serving, "queueSize", defaults.queueSize(), 1, 100_000),
				read(version, serving, "maxBatchSize", defaults.maxBatchSize(), 1, 1024),
				read(version, serving, "maxBatchDelayMs", defaults.maxBatchDelayMs(), 0, 10_000),
				Duration.ofMillis(read(version, serving, "timeoutMs", (int) defaults.requestTimeout().toMillis(), 1,
						3_600_000)),
				read(version, serving, "threads", defaultThreads, 0, 1024));
	}

	/** A value the registry stored but that makes no sense falls back to the default rather than block serving. */
	private static int read(ModelVersion version, Map<String, Object> serving, String key, int fallback, int min,
			int max) {
		Object value = serving.get(key);
		if (value == null) {
			return fallback;
		}
		if (value instanceof Number n && n.doubleValue() == n.intValue() && n.intValue() >= min
				&& n.intValue() <= max) {
			return n.intValue();
		}
		log.warn("{}: serving.{} = {} is not a whole number from {} to {}; using {}", version.ref(), key, value, min,
				max, fallback);
		return fallback;
	}

}
