package io.deepserve.inference;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

import ai.djl.Model;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import io.deepserve.registry.ArtifactFormat;
import io.deepserve.registry.ModelVersion;
import io.deepserve.registry.Task;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Re-checking tuned settings under load: first its decisions against a clock the test moves and pools that answer
 * at set rates, then for real, on pools of a loaded version that its requests keep saturated while it changes them.
 */
class ServingRecheckTests {

	/** What the load-time search measured: batch 1 first, batch 4 the runner-up, one failed candidate between. */
	private static final List<Map<String, Object>> TABLE = List.of(row(1, 1, 30.0), Map.of("workers", 2, "threads",
			0, "maxBatchSize", 8, "channelsLastFromBatch", 0, "error", "out of memory"), row(1, 4, 28.0),
			row(2, 1, 20.0));

	private static final PoolSettings BATCH_1 = new PoolSettings(1, 64, 1, 0, Duration.ofSeconds(30), 0, 0);

	private static final PoolSettings BATCH_4 = BATCH_1.with(1, 0, 4, 0);

	private static final ServingTuner.Tuning TUNED = new ServingTuner.Tuning("tuned", "fastest of 3",
			ServingRecheck.describe(BATCH_1), TABLE, 100);

	@Test
	void theRunnerUpIsTheFastestOtherMeasuredCandidate() {
		assertThat(ServingRecheck.alternative(TABLE, BATCH_1)).isEqualTo(BATCH_4);
		assertThat(ServingRecheck.alternative(TABLE, BATCH_4)).isEqualTo(BATCH_1);
		assertThat(ServingRecheck.alternative(List.of(row(1, 1, 30.0)), BATCH_1)).isNull();
	}

	@Test
	void underLoadARunnerUpThatServesFasterIsKept() throws Exception {
		Simulated pool = new Simulated(BATCH_1, s -> s.maxBatchSize() == 4 ? 60 : 40, s -> true);

		ServingRecheck.Result result = pool.recheck();

		assertThat(result.status()).isEqualTo("switched");
		assertThat(pool.settings()).isEqualTo(BATCH_4);
		assertThat(result.serving()).isEqualTo(ServingRecheck.describe(BATCH_4));
		assertThat(result.servingPerSecond()).isEqualTo(60.0);
		assertThat(result.alternativePerSecond()).isEqualTo(40.0);
	}

	@Test
	void aRunnerUpNoMoreThanTheMarginFasterIsSwitchedBack() throws Exception {
		Simulated pool = new Simulated(BATCH_1, s -> s.maxBatchSize() == 4 ? 41 : 40, s -> true);

		ServingRecheck.Result result = pool.recheck();

		assertThat(result.status()).isEqualTo("kept");
		assertThat(pool.changes).containsExactly(BATCH_4, BATCH_1);
		assertThat(result.detail()).contains("41.0 requests/s against 40.0");
	}

	@Test
	void aPoolThatKeepsUpIsNotChanged() throws Exception {
		Simulated pool = new Simulated(BATCH_1, s -> 40, s -> false);

		ServingRecheck.Result result = pool.recheck();

		assertThat(result.status()).isEqualTo("not-saturated");
		assertThat(pool.changes).isEmpty();
	}

	@Test
	void aRunnerUpWhoseWindowWasNotSaturatedIsNotCompared() throws Exception {
		// the load fell as it switched: its rate says nothing of its settings
		Simulated pool = new Simulated(BATCH_1, s -> s.maxBatchSize() == 4 ? 60 : 40, s -> s.maxBatchSize() == 1);

		ServingRecheck.Result result = pool.recheck();

		assertThat(result.status()).isEqualTo("kept");
		assertThat(pool.settings()).isEqualTo(BATCH_1);
		assertThat(result.detail()).contains("was not saturated");
	}

	@Test
	void aVersionNotTunedAtLoadIsNotRechecked() throws Exception {
		Simulated pool = new Simulated(BATCH_1, s -> 40, s -> true);
		pool.tuning = new ServingTuner.Tuning("fixed", "every setting is set", ServingRecheck.describe(BATCH_1),
				List.of(), 0);

		assertThat(pool.recheck()).isNull();
		assertThat(pool.changes).isEmpty();
	}

	@Test
	void onRealPoolsUnderLoadItSwitchesToTheFasterBatchWithoutFailingARequest() throws Exception {
		// each batch takes 3 ms whatever its size: batches of 4 answer four times as fast
		ServingRecheck.Result result = recheckUnderLoad(BATCH_1);

		assertThat(result.status()).as(result.detail()).isEqualTo("switched");
		assertThat(result.servingPerSecond()).isGreaterThan(result.alternativePerSecond() * 2);
	}

	@Test
	void onRealPoolsUnderLoadASlowerRunnerUpGivesWayAgain() throws Exception {
		ServingRecheck.Result result = recheckUnderLoad(BATCH_4);

		assertThat(result.status()).as(result.detail()).isEqualTo("kept");
	}

	/**
	 * Re-checks a version loaded with {@code settings} while eight clients keep its pool saturated; checks that it
	 * ends serving at batch 4, the faster, and that every request was answered right.
	 */
	private static ServingRecheck.Result recheckUnderLoad(PoolSettings settings) throws Exception {
		try (Model djl = Model.newInstance("recheck")) {
			LoadedModel model = loaded(djl, settings);
			Load load = new Load(model, 8);
			ServingRecheck.Result result;
			try {
				result = new ServingRecheck(Duration.ofMillis(400)).recheck(model.recheckSubject(Duration.ofSeconds(5)));
				assertThat(model.settings()).isEqualTo(BATCH_4);
				assertThat(model.current().settings()).isEqualTo(BATCH_4);
			}
			finally {
				load.stop();
				model.close(Duration.ofSeconds(5));
			}
			assertThat(load.failures).isEmpty();
			assertThat(load.answered.get()).isPositive();
			return result;
		}
	}

	private static Map<String, Object> row(int workers, int batch, double itemsPerSecond) {
		return Map.of("workers", workers, "threads", 0, "maxBatchSize", batch, "channelsLastFromBatch", 0,
				"itemsPerSecond", itemsPerSecond);
	}

	/** A version of a task whose every batch takes 3 ms, loaded with {@code settings}, tuned with {@link #TABLE}. */
	private static LoadedModel loaded(Model djl, PoolSettings settings) {
		ModelVersion version = new ModelVersion("recheck", 1, Task.IMAGE_CLASSIFICATION, "torchscript",
				ArtifactFormat.TORCHSCRIPT, null, List.of("a", "b"), null, null, null, null, null, null, 0, null, null,
				ModelVersion.Status.READY, null);
		ServingTask<Integer, Integer> task = new ServingTask<>() {
			@Override
			public Task task() {
				return Task.IMAGE_CLASSIFICATION;
			}

			@Override
			public BatchHandler<Integer, Integer> newHandler(Model loaded, ModelVersion v) {
				return new BatchHandler<>() {
					@Override
					public List<Integer> run(List<Integer> inputs) {
						try {
							Thread.sleep(3);
						}
						catch (InterruptedException ex) {
							Thread.currentThread().interrupt();
						}
						return inputs.stream().map(i -> i * 10).toList();
					}

					@Override
					public void close() {
					}
				};
			}

			@Override
			public Integer warmupInput(ModelVersion v) {
				return 0;
			}
		};
		LoadedModel model = new LoadedModel(version, task, new InferenceMetrics(new SimpleMeterRegistry(), version,
				() -> 0, () -> 0));
		model.load(djl, settings, TUNED, null);
		return model;
	}

	/** Clients that keep sending one request each to whichever pool serves the version now, as requests do. */
	private static final class Load {

		final List<Throwable> failures = new CopyOnWriteArrayList<>();

		final AtomicInteger answered = new AtomicInteger();

		private final AtomicBoolean running = new AtomicBoolean(true);

		private final List<Thread> clients = new ArrayList<>();

		Load(LoadedModel model, int clients) {
			for (int c = 0; c < clients; c++) {
				int client = c;
				Thread thread = new Thread(() -> {
					for (int i = 1; running.get(); i++) {
						model.hold();
						try {
							@SuppressWarnings("unchecked")
							BatchingPool<Integer, Integer> pool = (BatchingPool<Integer, Integer>) model.current();
							int input = client * 1_000_000 + i;
							Integer output = pool.submit(input).get(10, TimeUnit.SECONDS).output();
							if (output != input * 10) {
								failures.add(new AssertionError(input + " answered " + output));
							}
							answered.incrementAndGet();
						}
						catch (Exception ex) {
							failures.add(ex);
						}
						finally {
							model.release();
						}
					}
				}, "client-" + c);
				this.clients.add(thread);
				thread.start();
			}
		}

		void stop() throws InterruptedException {
			running.set(false);
			for (Thread client : clients) {
				client.join(10_000);
			}
		}

	}

	/** A version whose pool answers at a rate set per settings, on a clock that moves only as the re-check waits. */
	private static final class Simulated implements ServingRecheck.Subject {

		final List<PoolSettings> changes = new ArrayList<>();

		ServingTuner.Tuning tuning = TUNED;

		private final ToDoubleFunction<PoolSettings> rate;

		private final Predicate<PoolSettings> saturated;

		private PoolSettings settings;

		private long nanos;

		private double answered;

		Simulated(PoolSettings settings, ToDoubleFunction<PoolSettings> rate, Predicate<PoolSettings> saturated) {
			this.settings = settings;
			this.rate = rate;
			this.saturated = saturated;
		}

		ServingRecheck.Result recheck() throws InterruptedException {
			return new ServingRecheck(Duration.ofSeconds(10), () -> nanos, d -> {
				nanos += d.toNanos();
				answered += rate.applyAsDouble(settings) * d.toNanos() / 1e9;
			}).recheck(this);
		}

		@Override
		public String ref() {
			return "simulated:1";
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
			return saturated.test(settings);
		}

		@Override
		public long answered() {
			return Math.round(answered);
		}

		@Override
		public void reconfigure(PoolSettings next) {
			changes.add(next);
			settings = next;
		}

	}

}
