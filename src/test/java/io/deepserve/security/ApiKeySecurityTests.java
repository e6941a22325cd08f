package io.deepserve.security;

import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.boot.web.client.RestTemplateBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

import io.deepserve.inference.Images;
import io.deepserve.DeepserveApplication;
import io.deepserve.registry.RegistryHttp;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One application of its own with two keys configured (the shared test context has none) and keyed inference.
 * The engine is not loaded at start; only the alias test needs it.
 */
class ApiKeySecurityTests {

	static final String ADMIN_KEY = "ds_admin_3f9c1e7a5b2d4c6e8f0a";

	static final String INFER_KEY = "ds_infer_7d2b9e4f1a3c5e7b9d0f";

	static final String READ_KEY = "ds_read_5a1c3e9b7d2f4a6c8e0b";

	@TempDir
	static Path dataDir;

	static ConfigurableApplicationContext app;

	static TestRestTemplate anonymous;

	static TestRestTemplate admin;

	static TestRestTemplate infer;

	static TestRestTemplate reader;

	final ObjectMapper json = new ObjectMapper();

	@BeforeAll
	static void start() {
		app = new SpringApplicationBuilder(DeepserveApplication.class).run("--deepserve.data-dir=" + dataDir,
				"--server.port=0", "--deepserve.engine.load-at-startup=false",
				"--deepserve.security.inference-requires-key=true",
				"--deepserve.security.api-keys[0].name=ops", "--deepserve.security.api-keys[0].sha256=" + sha(ADMIN_KEY),
				"--deepserve.security.api-keys[0].roles=admin",
				"--deepserve.security.api-keys[1].name=shop-frontend",
				"--deepserve.security.api-keys[1].sha256=" + sha(INFER_KEY).toUpperCase(),
				"--deepserve.security.api-keys[1].roles=infer", "--deepserve.security.api-keys[2].name=dashboards",
				"--deepserve.security.api-keys[2].sha256=" + sha(READ_KEY),
				"--deepserve.security.api-keys[2].roles=read");
		int port = ((WebServerApplicationContext) app).getWebServer().getPort();
		anonymous = client(port, null);
		admin = client(port, ADMIN_KEY);
		infer = client(port, INFER_KEY);
		reader = client(port, READ_KEY);
	}

	@AfterAll
	static void stop() {
		app.close();
	}

	@Test
	void writesWithoutAKeyAre401WithABearerChallenge() throws Exception {
		ResponseEntity<String> response = anonymous.postForEntity("/api/v1/datasets/samples/sine", null, String.class);
		assertProblem(response, HttpStatus.UNAUTHORIZED, "unauthorized");
		assertThat(response.getHeaders().getFirst(HttpHeaders.WWW_AUTHENTICATE)).startsWith("Bearer");
	}

	@Test
	void aKeyThatIsNotConfiguredIs401() throws Exception {
		assertProblem(client(port(), "ds_admin_guessed").getForEntity("/api/v1/models", String.class),
				HttpStatus.UNAUTHORIZED, "unauthorized");
		HttpHeaders basic = new HttpHeaders();
		basic.setBasicAuth("ops", ADMIN_KEY);
		assertProblem(anonymous.exchange("/api/v1/models", HttpMethod.GET, new HttpEntity<>(basic), String.class),
				HttpStatus.UNAUTHORIZED, "unauthorized");
	}

	@Test
	void dotSegmentsAndPathParametersDoNotGetAroundTheCheck() throws Exception {
		assertProblem(anonymous.postForEntity("/api/v1/models/../datasets/samples/sine", null, String.class),
				HttpStatus.UNAUTHORIZED, "unauthorized");
		assertProblem(anonymous.postForEntity("/api;x=1/v1/datasets/samples/sine", null, String.class),
				HttpStatus.UNAUTHORIZED, "unauthorized");
		assertProblem(anonymous.postForEntity("/actuator/health/../../api/v1/datasets/samples/sine", null,
				String.class), HttpStatus.UNAUTHORIZED, "unauthorized");
	}

	@Test
	void anInferKeyCannotWrite() throws Exception {
		assertProblem(infer.postForEntity("/api/v1/datasets/samples/sine", null, String.class), HttpStatus.FORBIDDEN,
				"forbidden");
		assertProblem(infer.exchange("/api/v1/models/anything/versions/1", HttpMethod.DELETE, null, String.class),
				HttpStatus.FORBIDDEN, "forbidden");
	}

	@Test
	void anAdminKeyWrites() {
		ResponseEntity<String> response = admin.postForEntity("/api/v1/datasets/samples/sine", null, String.class);
		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.CREATED);
	}

	@Test
	void readsNeedAReadOrAdminKey() throws Exception {
		assertProblem(anonymous.getForEntity("/api/v1/models", String.class), HttpStatus.UNAUTHORIZED, "unauthorized");
		assertThat(reader.getForEntity("/api/v1/models", String.class).getStatusCode()).isEqualTo(HttpStatus.OK);
		assertThat(reader.getForEntity("/api/v1/training-jobs", String.class).getStatusCode())
			.isEqualTo(HttpStatus.OK);
		assertThat(admin.getForEntity("/api/v1/datasets", String.class).getStatusCode()).isEqualTo(HttpStatus.OK);
		assertProblem(anonymous.getForEntity("/actuator/prometheus", String.class), HttpStatus.UNAUTHORIZED,
				"unauthorized");
		assertProblem(reader.postForEntity("/api/v1/datasets/samples/sine", null, String.class),
				HttpStatus.FORBIDDEN, "forbidden");
	}

	@Test
	void anInferKeyCannotReadTheRegistryOrCopyAModel() throws Exception {
		for (String path : new String[] { "/api/v1/models", "/api/v1/models/anything/versions/1/artifact",
				"/api/v1/datasets", "/api/v1/training-jobs" }) {
			assertProblem(infer.getForEntity(path, String.class), HttpStatus.FORBIDDEN, "forbidden");
		}
	}

	@Test
	void aKeySentToAnOpenEndpointIsChecked() throws Exception {
		TestRestTemplate guessed = client(port(), "ds_admin_guessed");
		assertProblem(guessed.getForEntity("/actuator/health/liveness", String.class), HttpStatus.UNAUTHORIZED,
				"unauthorized");
		assertProblem(guessed.getForEntity("/v3/api-docs", String.class), HttpStatus.UNAUTHORIZED, "unauthorized");
		assertThat(infer.getForEntity("/actuator/health/liveness", String.class).getStatusCode())
			.isEqualTo(HttpStatus.OK);
	}

	@Test
	void keyedInferenceNeedsInferOrAdmin() throws Exception {
		HttpHeaders png = new HttpHeaders();
		png.setContentType(MediaType.IMAGE_PNG);
		HttpEntity<byte[]> image = new HttpEntity<>(new byte[] { 1, 2, 3 }, png);
		assertProblem(anonymous.postForEntity("/api/v1/models/nobody/classify", image, String.class),
				HttpStatus.UNAUTHORIZED, "unauthorized");
		assertProblem(anonymous.postForEntity("/v2/models/nobody/infer", Map.of("inputs", java.util.List.of()),
				String.class), HttpStatus.UNAUTHORIZED, "unauthorized");
		// past the filter: the model is unknown, which proves the key was accepted
		assertProblem(infer.postForEntity("/api/v1/models/nobody/classify", image, String.class),
				HttpStatus.NOT_FOUND, "model_not_found");
		assertProblem(admin.postForEntity("/api/v1/models/nobody/classify", image, String.class),
				HttpStatus.NOT_FOUND, "model_not_found");
	}

	@Test
	void probesAndTheDashboardStayOpen() {
		assertThat(anonymous.getForEntity("/actuator/health/liveness", String.class).getStatusCode())
			.isEqualTo(HttpStatus.OK);
		assertThat(anonymous.getForEntity("/v2/health/live", String.class).getStatusCode()).isEqualTo(HttpStatus.OK);
		// no dashboard page on this branch: whatever "/" is, it is not refused for want of a key
		assertThat(anonymous.getForEntity("/", String.class).getStatusCode().value()).isNotIn(401, 403);
		assertThat(anonymous.getForEntity("/v3/api-docs", String.class).getStatusCode()).isEqualTo(HttpStatus.OK);
	}

	@Test
	void theApiDocumentSaysWhichKeyToSend() throws Exception {
		JsonNode docs = json.readTree(anonymous.getForObject("/v3/api-docs", String.class));
		assertThat(docs.at("/components/securitySchemes/apiKey/scheme").asText()).isEqualTo("bearer");
		assertThat(docs.at("/security/0/apiKey").isArray()).isTrue();
	}

	@Test
	void aliasHistoryRecordsTheKeysName() throws Exception {
		assertThat(RegistryHttp.importVersion(admin, "keyed", Images.tinyTorchScript(),
				Images.tinyMetadata(null)).getStatusCode()).isEqualTo(HttpStatus.CREATED);
		HttpHeaders headers = new HttpHeaders();
		headers.setContentType(MediaType.APPLICATION_JSON);
		assertThat(admin.exchange("/api/v1/models/keyed/aliases/production", HttpMethod.PUT,
				new HttpEntity<>("{\"version\": 1}", headers), String.class).getStatusCode()).isEqualTo(HttpStatus.OK);
		JsonNode history = json.readTree(
				reader.getForObject("/api/v1/models/keyed/aliases/production/history", String.class));
		assertThat(history.findValuesAsText("changedBy")).containsExactly("ops");
		assertThat(history.toString()).doesNotContain(ADMIN_KEY);
	}

	private void assertProblem(ResponseEntity<String> response, HttpStatus status, String code) throws Exception {
		assertThat(response.getStatusCode()).isEqualTo(status);
		assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(json.readTree(response.getBody()).path("code").asText()).isEqualTo(code);
	}

	private static int port() {
		return ((WebServerApplicationContext) app).getWebServer().getPort();
	}

	private static TestRestTemplate client(int port, String key) {
		RestTemplateBuilder builder = new RestTemplateBuilder().rootUri("http://127.0.0.1:" + port);
		if (key != null) {
			builder = builder.defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + key);
		}
		return new TestRestTemplate(builder);
	}

	static String sha(String key) {
		return HexFormat.of().formatHex(ApiKeys.sha256(key));
	}

}
