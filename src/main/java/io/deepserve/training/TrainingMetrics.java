package io.deepserve.training;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.springframework.stereotype.Component;

import io.deepserve.training.TrainingJob.Status;

/**
 * Training as Prometheus sees it (names as exported):
 * <ul>
 * <li>{@code deepserve_training_jobs{status}}: jobs in the queue table by status (read at most once a second);</li>
 * <li>{@code deepserve_training_batches_total{model}} and {@code deepserve_training_samples_total{model}}: their
 * {@code rate()} is batches/s and images/s;</li>
 * <li>{@code deepserve_training_batch_seconds{model}}: time per training batch;</li>
 * <li>{@code deepserve_training_loss{model}}: the loss of the latest training batch of the running job.</li>
 * </ul>
 * {@code model} is the job's model name, a small set; the job id would be a new series per job.
 */
@Component
class TrainingMetrics {

	private static final long COUNT_CACHE_NANOS = TimeUnit.SECONDS.toNanos(1);

	private final MeterRegistry meters;

	private final TrainingJobRepository repository;

	private final Map<String, double[]> losses = new ConcurrentHashMap<>();

	private volatile Map<Status, Long> counts = Map.of();

	private volatile long countedAt = System.nanoTime() - COUNT_CACHE_NANOS;

	TrainingMetrics(MeterRegistry meters, TrainingJobRepository repository) {
		this.meters = meters;
		this.repository = repository;
		for (Status status : Status.values()) {
			Gauge.builder("deepserve.training.jobs", this, metrics -> metrics.count(status))
				.description("Training jobs by status")
				.tag("status", status.name())
				.register(meters);
		}
	}

	/** One training batch of {@code samples} images (or windows) done in {@code nanos} with {@code loss}. */
	void batch(String model, int samples, long nanos, double loss) {
		Counter.builder("deepserve.training.batches").tag("model", model).register(meters).increment();
		Counter.builder("deepserve.training.samples").tag("model", model).register(meters).increment(samples);
		Timer.builder("deepserve.training.batch").tag("model", model).register(meters)
			.record(nanos, TimeUnit.NANOSECONDS);
		double[] holder = losses.computeIfAbsent(model, key -> {
			double[] value = { Double.NaN };
			Gauge.builder("deepserve.training.loss", value, v -> v[0])
				.description("Loss of the latest training batch")
				.tag("model", key)
				.register(meters);
			return value;
		});
		holder[0] = loss;
	}

	/** The loss gauge of a model whose job has ended goes back to NaN: no job is training it. */
	void ended(String model) {
		double[] holder = losses.get(model);
		if (holder != null) {
			holder[0] = Double.NaN;
		}
	}

	private double count(Status status) {
		long now = System.nanoTime();
		if (now - countedAt >= COUNT_CACHE_NANOS) {
			try {
				counts = repository.countByStatus();
			}
			catch (RuntimeException ex) {
				// a scrape during shutdown or a database outage shows the last counts rather than failing
			}
			countedAt = now;
		}
		return counts.getOrDefault(status, 0L);
	}

}
