package io.deepserve.dataset;

import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static io.deepserve.dataset.DatasetTestSupport.assertProblem;
import static io.deepserve.dataset.DatasetTestSupport.png;
import static io.deepserve.dataset.DatasetTestSupport.uploadRequest;
import static io.deepserve.dataset.DatasetTestSupport.zip;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A context of its own with a small upload limit, so not a {@link DatasetTestSupport}; closed after the class so
 * it does not linger in the context cache.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "deepserve.engine.load-at-startup=false", "deepserve.datasets.max-upload-size=4KB" })
@DirtiesContext
class DatasetUploadLimitTests {

	static final Path DATA_DIR = DatasetTestSupport.newDataDir();

	@Autowired
	TestRestTemplate http;

	@DynamicPropertySource
	static void dataDir(DynamicPropertyRegistry registry) {
		registry.add("deepserve.data-dir", DATA_DIR::toString);
	}

	@Test
	void refusesAFileOverTheLimitAndKeepsNothing() {
		byte[] noise = new byte[5000];
		new Random(1).nextBytes(noise);
		byte[] big = zip(Map.of("a/1.png", png(), "b/1.png", noise));
		assertThat(big.length).isGreaterThan(4096);

		assertProblem(upload("big", big), HttpStatus.PAYLOAD_TOO_LARGE, "payload_too_large");

		assertThat(http.getForObject("/api/v1/datasets", JsonNode.class)).isEmpty();
		assertThat(upload("small", zip(Map.of("a/1.png", png(), "b/1.png", png()))).getStatusCode())
			.isEqualTo(HttpStatus.CREATED);
	}

	private ResponseEntity<JsonNode> upload(String name, byte[] zip) {
		return http.postForEntity("/api/v1/datasets", uploadRequest(name, "images", "a.zip", zip), JsonNode.class);
	}

}
