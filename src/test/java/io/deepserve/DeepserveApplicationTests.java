package io.deepserve;

import java.nio.file.Path;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.deepserve.config.DeepserveProperties;
import io.deepserve.inference.EngineService;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class DeepserveApplicationTests {

	@TempDir
	static Path dataDir;

	@DynamicPropertySource
	static void dataDir(DynamicPropertyRegistry registry) {
		registry.add("deepserve.data-dir", dataDir::toString);
	}

	@Autowired
	TestRestTemplate http;

	@Autowired
	ObjectMapper json;

	@Test
	void readinessIsDownWhileTheEngineIsStillLoading() {
		EngineService loading = new EngineService(new DeepserveProperties(dataDir, new DeepserveProperties.Engine(
				"PyTorch", false), null, null));
		assertThat(loading.health().getStatus()).isEqualTo(Status.DOWN);
		assertThat(loading.health().getDetails()).containsEntry("state", "loading");
	}

	@Test
	void becomesReadyOnceTheEngineHasLoaded() {
		await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
			JsonNode readiness = json.readTree(http.getForObject("/actuator/health/readiness", String.class));
			assertThat(readiness.at("/components/engine/status").asText()).isEqualTo("UP");
			assertThat(readiness.at("/components/engine/details/engine").asText()).isEqualTo("PyTorch");
			assertThat(readiness.at("/status").asText()).isEqualTo("UP");
		});
		assertThat(http.getForObject("/actuator/health/liveness", String.class)).contains("UP");
	}

}
