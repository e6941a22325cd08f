package io.deepserve.inference;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

import ai.djl.Model;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.mock.env.MockEnvironment;

import io.deepserve.config.DeepserveProperties;
import io.deepserve.registry.ArtifactFormat;
import io.deepserve.registry.ModelVersion;
import io.deepserve.registry.Preprocessing;
import io.deepserve.registry.Task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

/**
 * Tuning at load with real measurements of a stand-in task (each batch takes a millisecond's sleep): which settings
 * it varies, which it leaves, when it does not run, and that the settings it returns are its table's fastest.
 * Which candidate is fastest depends on timing here, so the tests check the choice against the table, never a
 * particular winner; {@link ServingSearchTests} pins the choice logic.
 */
class ServingTunerTests {

	private static final PoolSettings BASE = new PoolSettings(2, 64, 8, 5, Duration.ofSeconds(30), 0);

	/** Each handler made: its channels-last threshold, and each batch size it ran. */
	private final ConcurrentLinkedQueue<Integer> handlers = new ConcurrentLinkedQueue<>();

	private final ConcurrentLinkedQueue<Integer> batches = new ConcurrentLinkedQueue<>();

	@Test
	void theSearchMeasuresCandidatesAndStartsThePoolWithTheFastest() {
		ServingTuner.Tuned tuned = tuner(Map.of(), Set.of()).tune(mock(Model.class), task(true, -1), version(null),
				BASE, () -> 0);
		ServingTuner.Tuning tuning = tuned.tuning();
		assertThat(tuning.status()).isEqualTo("tuned");
		// the table is fastest first, so its first row is what the pool starts with
		Map<String, Object> fastest = tuning.table().get(0);
		assertThat(fastest).containsKey("itemsPerSecond");
		assertThat(tuning.chosen()).isEqualTo(Map.of("workers", fastest.get("workers"), "threads",
				fastest.get("threads"), "maxBatchSize", fastest.get("maxBatchSize"), "channelsLastFromBatch",
				fastest.get("channelsLastFromBatch")));
		PoolSettings settings = tuned.settings();
		assertThat(List.<Object>of(settings.workers(), settings.threads(), settings.maxBatchSize(),
				settings.channelsLastFromBatch()))
			.containsExactly(fastest.get("workers"), fastest.get("threads"), fastest.get("maxBatchSize"),
					fastest.get("channelsLastFromBatch"));
		// what tuning does not choose stays as configured
		assertThat(settings.queueSize()).isEqualTo(64);
		assertThat(settings.maxBatchDelayMs()).isEqualTo(5);
		assertThat(settings.timeout()).isEqualTo(Duration.ofSeconds(30));
		// batch sizes from 1 up, in both memory orders where channels-last is offered
		assertThat(batches).contains(1, 4);
		assertThat(handlers).contains(0, 4);
		assertThat(tuning.table()).extracting(row -> row.get("maxBatchSize")).contains(1, 4);
	}

	@Test
	void aCandidateThatFailsIsListedAndSkipped() {
		ServingTuner.Tuned tuned = tuner(Map.of(), Set.of()).tune(mock(Model.class), task(true, 4), version(null),
				BASE, () -> 0);
		assertThat(tuned.tuning().status()).isEqualTo("tuned");
		assertThat(tuned.tuning().table()).filteredOn(row -> Integer.valueOf(4).equals(row.get("maxBatchSize")))
			.isNotEmpty()
			.allSatisfy(row -> assertThat((String) row.get("error")).contains("no batches of 4 here"));
		assertThat(tuned.settings().maxBatchSize()).isNotEqualTo(4);
	}

	@Test
	void itDoesNotRunWhenAutotuneIsOff() {
		ServingTuner.Tuned tuned = tuner(Map.of("deepserve.inference.autotune", "false"), Set.of())
			.tune(mock(Model.class), task(true, -1), version(null), BASE, () -> 0);
		assertThat(tuned.tuning().status()).isEqualTo("off");
		// the configured settings, with the task's own channels-last threshold named
		assertThat(tuned.settings()).isEqualTo(BASE.with(2, 0, 8, 4));
		assertThat(handlers).isEmpty();
	}

	@Test
	void settingsTheVersionOrAPropertyFixesAreNotVaried() {
		Map<String, Object> serving = Map.of("workers", 1, "maxBatchSize", 8, "threads", 1);
		PoolSettings configured = new PoolSettings(1, 64, 8, 5, Duration.ofSeconds(30), 1);
		ServingTuner.Tuned all = tuner(Map.of(), Set.of(ServingTuner.CHANNELS_LAST)).tune(mock(Model.class),
				task(true, -1), version(serving), configured, () -> 0);
		assertThat(all.tuning().status()).isEqualTo("fixed");
		assertThat(all.settings()).isEqualTo(configured.with(1, 1, 8, 4));
		assertThat(handlers).isEmpty();

		// the batch size set by its property: every candidate runs batches of 8, the rest varies
		ServingTuner.Tuned batchFixed = tuner(Map.of(), Set.of(ServingTuner.MAX_BATCH_SIZE)).tune(mock(Model.class),
				task(true, -1), version(null), BASE, () -> 0);
		assertThat(batchFixed.tuning().status()).isEqualTo("tuned");
		assertThat(batches).isNotEmpty().containsOnly(8);
		assertThat(batchFixed.settings().maxBatchSize()).isEqualTo(8);
		assertThat(handlers).contains(0, 4);
	}

	@Test
	void itWaitsForOtherVersionsTrafficAndSkipsWhileItLasts() {
		ServingTuner.Tuned tuned = tuner(Map.of(), Set.of()).tune(mock(Model.class), task(true, -1), version(null),
				BASE, () -> 1);
		assertThat(tuned.tuning().status()).isEqualTo("skipped");
		assertThat(tuned.settings()).isEqualTo(BASE.with(2, 0, 8, 4));
		assertThat(handlers).isEmpty();
	}

	@Test
	void aTaskThatDoesNotTuneKeepsItsSettingsAndReportsNothing() {
		ServingTuner.Tuned tuned = tuner(Map.of(), Set.of()).tune(mock(Model.class), task(false, -1), version(null),
				BASE, () -> 0);
		assertThat(tuned.tuning()).isNull();
		assertThat(tuned.settings()).isEqualTo(BASE);
		assertThat(handlers).isEmpty();
	}

	@Test
	void explicitlySetPropertiesAreFoundUnderTheirRelaxedNames() {
		MockEnvironment environment = new MockEnvironment().withProperty("deepserve.inference.max-batch-size", "4")
			.withProperty("deepserve.inference.queue-size", "9");
		assertThat(WorkloadManager.fixedByProperties(environment)).containsExactly(ServingTuner.MAX_BATCH_SIZE);
		assertThat(WorkloadManager.fixedByProperties(new MockEnvironment())).isEmpty();
	}

	private ServingTuner tuner(Map<String, String> properties, Set<String> fixed) {
		Map<String, String> all = new java.util.HashMap<>(Map.of("deepserve.inference.autotune-budget", "1500ms"));
		all.putAll(properties);
		DeepserveProperties bound = new Binder(new MapConfigurationPropertySource(all)).bindOrCreate("deepserve",
				DeepserveProperties.class);
		return new ServingTuner(bound.inference(), fixed, 2, Duration.ofMillis(50));
	}

	/**
	 * @param failingBatch a batch size whose runs throw; -1 for none
	 */
	private ServingTask<float[], float[]> task(boolean tunes, int failingBatch) {
		return new ServingTask<>() {
			@Override
			public Task task() {
				return Task.IMAGE_CLASSIFICATION;
			}

			@Override
			public BatchHandler<float[], float[]> newHandler(Model model, ModelVersion version) {
				return newHandler(model, version, channelsLastFromBatch());
			}

			@Override
			public BatchHandler<float[], float[]> newHandler(Model model, ModelVersion version, int channelsLast) {
				handlers.add(channelsLast);
				return new BatchHandler<>() {
					@Override
					public List<float[]> run(List<float[]> inputs) {
						batches.add(inputs.size());
						if (inputs.size() == failingBatch) {
							throw new IllegalStateException("no batches of " + failingBatch + " here");
						}
						try {
							Thread.sleep(1);
						}
						catch (InterruptedException ex) {
							Thread.currentThread().interrupt();
						}
						return inputs;
					}

					@Override
					public void close() {
					}
				};
			}

			@Override
			public int channelsLastFromBatch() {
				return 4;
			}

			@Override
			public boolean offersChannelsLast(Model model, ModelVersion version) {
				return true;
			}

			@Override
			public boolean autotunes() {
				return tunes;
			}

			@Override
			public float[] warmupInput(ModelVersion version) {
				return new float[3];
			}
		};
	}

	private static ModelVersion version(Map<String, Object> serving) {
		return new ModelVersion("m", 1, Task.IMAGE_CLASSIFICATION, "torchscript", ArtifactFormat.TORCHSCRIPT, null,
				List.of("a", "b"), new Preprocessing(1, null, null, null), null, null, null, serving, null, 0, null,
				null, ModelVersion.Status.READY, null);
	}

}
