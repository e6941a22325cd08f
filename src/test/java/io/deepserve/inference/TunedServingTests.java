package io.deepserve.inference;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.actuate.health.CompositeHealth;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import io.deepserve.DeepserveApplication;
import io.deepserve.registry.ModelRegistry;
import io.deepserve.registry.NewModelVersion;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * At start, a version behind an alias is tuned before readiness comes up, its pool runs with what the search chose
 * (the gauges read the pool's settings), and the {@code models} health details show the choice and the table; a
 * version whose every tunable setting is set is not searched.
 */
class TunedServingTests {

	@TempDir
	Path dataDir;

	@Test
	void anAliasedVersionIsTunedBeforeReadinessAndServesWithTheChoice() throws Exception {
		ObjectMapper json = new ObjectMapper();
		NewModelVersion free = json.readValue(Images.tinyMetadata(null), NewModelVersion.class);
		NewModelVersion pinned = json.readValue(Images.tinyMetadata("{\"workers\": 1, \"maxBatchSize\": 2, "
				+ "\"threads\": 1}"), NewModelVersion.class);
		try (ConfigurableApplicationContext first = start()) {
			ModelRegistry registry = first.getBean(ModelRegistry.class);
			registry.register("free", free, new ByteArrayInputStream(Images.tinyTorchScript()));
			registry.register("pinned", pinned, new ByteArrayInputStream(Images.tinyTorchScript()));
			registry.setAlias("free", "production", 1, "tester");
			registry.setAlias("pinned", "production", 1, "tester");
		}
		try (ConfigurableApplicationContext second = start()) {
			HealthEndpoint health = second.getBean(HealthEndpoint.class);
			long until = System.nanoTime() + Duration.ofSeconds(90).toNanos();
			while (!Status.UP.equals(health.healthForPath("readiness").getStatus()) && System.nanoTime() < until) {
				Thread.sleep(50);
			}
			assertThat(health.healthForPath("readiness").getStatus()).isEqualTo(Status.UP);
			Health models = (Health) ((CompositeHealth) health.healthForPath("readiness")).getComponents()
				.get("models");
			@SuppressWarnings("unchecked")
			Map<String, ServingTuner.Tuning> tuned = (Map<String, ServingTuner.Tuning>) models.getDetails()
				.get("tuned");
			ServingTuner.Tuning searched = tuned.get("free:1");
			assertThat(searched.status()).isEqualTo("tuned");
			assertThat(searched.table()).isNotEmpty();
			Map<String, Object> fastest = searched.table().get(0);
			assertThat(fastest).containsKey("itemsPerSecond");
			MeterRegistry meters = second.getBean(MeterRegistry.class);
			for (String setting : new String[] { "workers", "threads", "maxBatchSize", "channelsLastFromBatch" }) {
				assertThat(searched.chosen().get(setting)).as(setting).isEqualTo(fastest.get(setting));
				assertThat(setting(meters, "free", setting)).as(setting)
					.isEqualTo(((Number) fastest.get(setting)).doubleValue());
			}

			ServingTuner.Tuning fixed = tuned.get("pinned:1");
			assertThat(fixed.status()).isEqualTo("fixed");
			assertThat(fixed.table()).isEmpty();
			assertThat(setting(meters, "pinned", "workers")).isEqualTo(1);
			assertThat(setting(meters, "pinned", "maxBatchSize")).isEqualTo(2);
			assertThat(setting(meters, "pinned", "threads")).isEqualTo(1);
			assertThat(setting(meters, "pinned", "channelsLastFromBatch")).isEqualTo(0);
		}
	}

	private static double setting(MeterRegistry meters, String model, String setting) {
		return meters.get(InferenceMetrics.SERVING_SETTING)
			.tags("model", model, "version", "1", "setting", setting)
			.gauge()
			.value();
	}

	private ConfigurableApplicationContext start() {
		// channels-last set explicitly: with the version's own settings, nothing is left for a search to choose
		return new SpringApplicationBuilder(DeepserveApplication.class).run("--deepserve.data-dir=" + dataDir,
				"--server.port=0", "--deepserve.inference.autotune-budget=2s",
				"--deepserve.inference.channels-last-from-batch=0");
	}

}
