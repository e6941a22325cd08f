package io.deepserve.inference;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Duration;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.actuate.health.CompositeHealth;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import io.deepserve.DeepserveApplication;
import io.deepserve.registry.ModelRegistry;
import io.deepserve.registry.NewModelVersion;

import static org.assertj.core.api.Assertions.assertThat;

/** After a restart, readiness waits until the versions behind aliases are loaded and warm. */
class WarmStartTests {

	@TempDir
	Path dataDir;

	@Test
	void readinessComesUpOnlyOnceAliasedVersionsAreWarm() throws Exception {
		NewModelVersion spec = new ObjectMapper().readValue(Images.tinyMetadata(null), NewModelVersion.class);
		try (ConfigurableApplicationContext first = start()) {
			ModelRegistry registry = first.getBean(ModelRegistry.class);
			registry.register("warm", spec, new ByteArrayInputStream(Images.tinyTorchScript()));
			registry.register("warm", spec, new ByteArrayInputStream(Images.tinyTorchScript()));
			registry.setAlias("warm", "production", 2, "tester");
		}
		try (ConfigurableApplicationContext second = start()) {
			HealthEndpoint health = second.getBean(HealthEndpoint.class);
			WorkloadManager manager = second.getBean(WorkloadManager.class);
			long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
			while (!Status.UP.equals(health.healthForPath("readiness").getStatus()) && System.nanoTime() < until) {
				assertThat(((CompositeHealth) health.healthForPath("readiness")).getComponents()).containsKey("models");
				Thread.sleep(20);
			}
			assertThat(health.healthForPath("readiness").getStatus()).isEqualTo(Status.UP);
			assertThat(manager.isLoaded("warm", 2)).as("the aliased version is warm once ready").isTrue();
			assertThat(manager.isLoaded("warm", 1)).as("versions behind no alias wait for their first use").isFalse();
		}
	}

	private ConfigurableApplicationContext start() {
		// command-line arguments, since application.yml outranks the builder's default properties
		return new SpringApplicationBuilder(DeepserveApplication.class).run("--deepserve.data-dir=" + dataDir,
				"--server.port=0");
	}

}
