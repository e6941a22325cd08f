package io.deepserve.inference;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.boot.web.client.RestTemplateBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

import io.deepserve.DeepserveApplication;
import io.deepserve.registry.ModelRegistry;
import io.deepserve.registry.RegistryHttp;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Moving an alias waits at most {@code alias-warmup-timeout} for the new version: past it the alias stays, the
 * version goes on loading, and the same call succeeds once it is warm. In its own application, with a timeout no
 * load can meet.
 */
class AliasWarmupTimeoutTests {

	@Test
	void anAliasWhoseVersionIsNotWarmInTimeStaysAndMovesOnceItIs() throws Exception {
		Path dataDir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "test-data")), "warmup-");
		try (ConfigurableApplicationContext app = new SpringApplicationBuilder(DeepserveApplication.class).run(
				"--deepserve.data-dir=" + dataDir.toAbsolutePath(), "--server.port=0", "--server.address=127.0.0.1",
				"--deepserve.inference.alias-warmup-timeout=1ms")) {
			TestRestTemplate http = new TestRestTemplate(new RestTemplateBuilder()
				.rootUri("http://127.0.0.1:" + app.getBean(Environment.class).getProperty("local.server.port")));
			ResponseEntity<String> created = RegistryHttp.importVersion(http, "slow-tiny", Images.tinyTorchScript(),
					Images.tinyMetadata(null));
			assertThat(created.getStatusCode()).as(created.getBody()).isEqualTo(HttpStatus.CREATED);

			ResponseEntity<String> early = moveAlias(http);
			assertThat(early.getStatusCode()).as(early.getBody()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
			assertThat(new ObjectMapper().readTree(early.getBody()).get("code").asText()).isEqualTo("model_loading");
			assertThat(early.getHeaders().getFirst("Retry-After")).isEqualTo("5");
			assertThat(app.getBean(ModelRegistry.class).get("slow-tiny").aliases()).isEmpty();

			WorkloadManager manager = app.getBean(WorkloadManager.class);
			long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
			while (!manager.isLoaded("slow-tiny", 1) && System.nanoTime() < until) {
				Thread.sleep(20);
			}
			assertThat(manager.isLoaded("slow-tiny", 1)).as("it went on loading").isTrue();
			ResponseEntity<String> warm = moveAlias(http);
			assertThat(warm.getStatusCode()).as(warm.getBody()).isEqualTo(HttpStatus.OK);
			assertThat(app.getBean(ModelRegistry.class).get("slow-tiny").aliases()).containsEntry("production", 1);
		}
	}

	private static ResponseEntity<String> moveAlias(TestRestTemplate http) {
		HttpHeaders headers = new HttpHeaders();
		headers.setContentType(MediaType.APPLICATION_JSON);
		return http.exchange("/api/v1/models/slow-tiny/aliases/production", HttpMethod.PUT,
				new HttpEntity<>("{\"version\": 1}", headers), String.class);
	}

}
