package io.deepserve;

import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.actuate.health.Status;

import io.deepserve.config.DeepserveProperties;
import io.deepserve.inference.EngineService;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class DeepserveApplicationTests extends ApplicationTestSupport {

	@Autowired
	ObjectMapper json;

	@Test
	void readinessIsDownWhileTheEngineIsStillLoading() {
		EngineService loading = new EngineService(new DeepserveProperties(DATA_DIR, new DeepserveProperties.Engine(
				"PyTorch", false, false), null, null, null, null, null, null, java.util.Set.of()));
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
