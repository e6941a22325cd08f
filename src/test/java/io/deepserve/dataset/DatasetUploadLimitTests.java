package io.deepserve.dataset;

import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.deepserve.ChunkedMultipart;

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

	private static final ObjectMapper JSON = new ObjectMapper();

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

	@Test
	void aChunkedUploadIsHeldToTheSameLimitBeforeAnythingIsKept() throws Exception {
		byte[] noise = new byte[200 * 1024];
		new Random(2).nextBytes(noise);
		String uri = http.getRootUri() + "/api/v1/datasets";
		Map<String, String> fields = Map.of("name", "chunked", "kind", "images");

		HttpResponse<String> refused = ChunkedMultipart.post(uri, fields, "file", "a.zip",
				zip(Map.of("a/1.png", png(), "b/1.png", noise)));
		assertThat(refused.statusCode()).as(refused.body()).isEqualTo(413);
		assertThat(JSON.readTree(refused.body()).get("code").asText()).isEqualTo("payload_too_large");
		assertThat(ChunkedMultipart.leftOver(DATA_DIR)).isEmpty();

		HttpResponse<String> created = ChunkedMultipart.post(uri, fields, "file", "a.zip",
				zip(Map.of("a/1.png", png(), "b/1.png", png())));
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		assertThat(JSON.readTree(created.body()).get("name").asText()).as("a form field").isEqualTo("chunked");
	}

	@Test
	void aChunkedUploadIsNotReadFarPastItsLimit() throws Exception {
		long sent = 64L * 1024 * 1024;
		AtomicLong read = new AtomicLong();
		InputStream zeros = new InputStream() {
			@Override
			public int read() {
				return read.incrementAndGet() <= sent ? 0 : -1;
			}

			@Override
			public int read(byte[] buffer, int offset, int length) {
				int n = (int) Math.min(length, sent - read.get());
				if (n <= 0) {
					return -1;
				}
				Arrays.fill(buffer, offset, offset + n, (byte) 0);
				read.addAndGet(n);
				return n;
			}
		};
		try {
			HttpResponse<String> refused = ChunkedMultipart.post(http.getRootUri() + "/api/v1/datasets",
					Map.of("name", "endless", "kind", "images"), "file", "a.zip", zeros);
			assertThat(refused.statusCode()).as(refused.body()).isEqualTo(413);
		}
		catch (UncheckedIOException ex) {
			// the server may close the connection before the client has stopped sending
		}
		assertThat(read.get()).as("bytes the server let the client send: its limit, what Tomcat swallows after a "
				+ "refusal, and socket buffers").isLessThan(sent / 2);
		assertThat(ChunkedMultipart.leftOver(DATA_DIR)).isEmpty();
	}

	@Test
	void aMultipartBodyForAnEndpointThatTakesNoneIsCappedAtAnEnvelope() throws Exception {
		HttpResponse<String> refused = ChunkedMultipart.post(http.getRootUri() + "/api/v1/training-jobs", Map.of(),
				"file", "a.bin", new byte[100 * 1024]);
		assertThat(refused.statusCode()).as(refused.body()).isEqualTo(413);
		assertThat(JSON.readTree(refused.body()).get("code").asText()).isEqualTo("payload_too_large");
	}

	private ResponseEntity<JsonNode> upload(String name, byte[] zip) {
		return http.postForEntity("/api/v1/datasets", uploadRequest(name, "images", "a.zip", zip), JsonNode.class);
	}

}
