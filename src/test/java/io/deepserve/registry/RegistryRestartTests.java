package io.deepserve.registry;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import io.deepserve.DeepserveApplication;
import io.deepserve.storage.Sha256;

import static org.assertj.core.api.Assertions.assertThat;

/** Everything registered is still there, byte for byte, after the application restarts on the same data. */
class RegistryRestartTests {

	@TempDir
	Path dataDir;

	@Test
	void versionsAliasesAndArtifactsSurviveARestart() throws Exception {
		byte[] artifact = RegistryHttp.tinyTorchScript();
		NewModelVersion spec = new com.fasterxml.jackson.databind.ObjectMapper().readValue(RegistryHttp.TINY_METADATA,
				NewModelVersion.class);
		try (ConfigurableApplicationContext first = start()) {
			ModelRegistry registry = first.getBean(ModelRegistry.class);
			registry.register("durable", spec, new java.io.ByteArrayInputStream(artifact));
			registry.register("durable", spec, new java.io.ByteArrayInputStream(artifact));
			registry.setAlias("durable", "production", 1, "tester");
		}
		try (ConfigurableApplicationContext second = start()) {
			assertThat(dataDir.resolve("db")).isDirectory();
			ModelRegistry registry = second.getBean(ModelRegistry.class);
			ModelVersion production = registry.resolve("durable");
			assertThat(production.version()).isEqualTo(1);
			assertThat(production.labels()).containsExactly("cat", "dog", "fish");
			assertThat(production.preprocessing().imageSize()).isEqualTo(32);
			assertThat(registry.get("durable").aliases()).isEqualTo(Map.of("production", 1));
			assertThat(registry.aliasHistory("durable", "production")).singleElement()
				.extracting(ModelRegistry.AliasChange::changedBy)
				.isEqualTo("tester");
			try (var in = registry.openArtifact(registry.version("durable", 2))) {
				assertThat(Sha256.of(in)).isEqualTo(Sha256.of(artifact));
			}
			assertThat(registry.register("durable", spec, new java.io.ByteArrayInputStream(artifact)).version())
				.isEqualTo(3);
		}
	}

	private ConfigurableApplicationContext start() {
		// command-line arguments, since application.yml outranks the builder's default properties
		return new SpringApplicationBuilder(DeepserveApplication.class)
			.run("--deepserve.data-dir=" + dataDir, "--server.port=0");
	}

}
