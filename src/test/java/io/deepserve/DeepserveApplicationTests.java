package io.deepserve;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

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

	@Test
	void becomesReadyOnceTheEngineHasLoaded() {
		await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
			String body = http.getForObject("/actuator/health/readiness", String.class);
			assertThat(body).contains("\"status\":\"UP\"").contains("PyTorch");
		});
		assertThat(http.getForObject("/actuator/health/liveness", String.class)).contains("UP");
	}

}
