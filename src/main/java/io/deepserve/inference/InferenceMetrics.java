package io.deepserve.inference;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import io.deepserve.registry.ModelVersion;

/**
 * The meters of one version, tagged {@code model} and {@code version} (names in the README). They outlive an
 * unload, so a reload does not reset totals; the queue gauge reads whichever pool serves the version now.
 */
final class InferenceMetrics {

	static final String REQUESTS = "deepserve.inference.requests";

	static final String LATENCY = "deepserve.inference.latency";

	static final String BATCH_SIZE = "deepserve.inference.batch.size";

	static final String QUEUE_DEPTH = "deepserve.inference.queue.depth";

	static final String WORKERS = "deepserve.inference.workers";

	static final String SERVING_SETTING = "deepserve.inference.serving.setting";

	static final String LOADED = "deepserve.inference.models.loaded";

	static final String LOADED_BYTES = "deepserve.inference.models.loaded.bytes";

	private final MeterRegistry registry;

	private final Tags tags;

	private final Timer queue;

	private final Timer preprocess;

	private final Timer inference;

	private final DistributionSummary batchSize;

	InferenceMetrics(MeterRegistry registry, ModelVersion version, Supplier<Number> queueDepth,
			Supplier<Number> workers) {
		this.registry = registry;
		this.tags = Tags.of("model", version.name(), "version", Integer.toString(version.version()));
		this.queue = timer("queue");
		this.preprocess = timer("preprocess");
		this.inference = timer("inference");
		this.batchSize = DistributionSummary.builder(BATCH_SIZE)
			.description("Requests run together in one batch")
			.tags(tags)
			.publishPercentileHistogram()
			.minimumExpectedValue(1.0)
			.maximumExpectedValue(1024.0)
			.register(registry);
		Gauge.builder(QUEUE_DEPTH, queueDepth)
			.description("Requests waiting for a worker")
			.tags(tags)
			.register(registry);
		Gauge.builder(WORKERS, workers)
			.description("Worker threads running for the version: one, more while requests back up")
			.tags(tags)
			.register(registry);
	}

	private Timer timer(String phase) {
		return Timer.builder(LATENCY)
			.description("Time a request spends in each phase of inference")
			.tags(tags)
			.tag("phase", phase)
			.publishPercentileHistogram()
			.minimumExpectedValue(Duration.ofMillis(1))
			.maximumExpectedValue(Duration.ofSeconds(30))
			.register(registry);
	}

	void request(String outcome) {
		Counter.builder(REQUESTS)
			.description("Inference requests by outcome")
			.tags(tags)
			.tag("outcome", outcome)
			.register(registry)
			.increment();
	}

	void preprocessed(long nanos) {
		preprocess.record(nanos, TimeUnit.NANOSECONDS);
	}

	void ran(long queueNanos, long inferenceNanos) {
		queue.record(queueNanos, TimeUnit.NANOSECONDS);
		inference.record(inferenceNanos, TimeUnit.NANOSECONDS);
	}

	void batch(int size) {
		batchSize.record(size);
	}

}
