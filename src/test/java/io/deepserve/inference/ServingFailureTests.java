package io.deepserve.inference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;

import io.deepserve.ApplicationTestSupport;
import io.deepserve.nn.Architectures;
import io.deepserve.registry.ModelRegistry;
import io.deepserve.registry.RegistryHttp;
import io.deepserve.storage.ArtifactStore;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Versions that cannot serve: refused at import when their scores and labels differ, a clear 409 when their bytes
 * are gone, never given an alias, and readiness DOWN while one is behind {@code production}.
 */
class ServingFailureTests extends ApplicationTestSupport {

	private static final byte[] PNG = Images.encode(Images.pattern(32, 32, 9), "png");

	@Autowired
	ObjectMapper json;

	@Autowired
	ModelRegistry registry;

	@Autowired
	ArtifactStore store;

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	WorkloadManager manager;

	@Autowired
	Architectures architectures;

	@Test
	void aClassifierWhoseScoresDifferFromItsLabelsIsRefusedAtImport() throws Exception {
		String twoLabels = Images.tinyMetadata(null).replace("\"labels\": [\"cat\", \"dog\", \"fish\"]",
				"\"labels\": [\"cat\", \"dog\"]");
		assertCode(RegistryHttp.importVersion(http, "labels-tiny", Images.tinyTorchScript(), twoLabels),
				HttpStatus.BAD_REQUEST, "labels_mismatch");

		byte[] zip = Images.savedDjlClassifier(architectures, "resnet18", 2, 32);
		String threeLabels = """
				{"task": "image-classification", "architecture": "resnet18", "labels": ["x", "o", "+"],
				 "preprocessing": {"imageSize": 32}}""";
		assertCode(RegistryHttp.importVersion(http, "labels-djl", zip, threeLabels), HttpStatus.BAD_REQUEST,
				"labels_mismatch");

		ResponseEntity<String> fits = RegistryHttp.importVersion(http, "labels-djl", zip,
				threeLabels.replace(", \"+\"", ""));
		assertThat(fits.getStatusCode()).as(fits.getBody()).isEqualTo(HttpStatus.CREATED);
	}

	@Test
	void aVersionWhoseArtifactIsGoneIsAConflictForServingOipAndDownload() throws Exception {
		register("gone-tiny", 1);
		store.delete(registry.version("gone-tiny", 1).artifactKey());

		assertCode(Images.classify(http, "gone-tiny:1", PNG, MediaType.IMAGE_PNG), HttpStatus.CONFLICT,
				"artifact_missing");
		String image = java.util.Base64.getEncoder().encodeToString(PNG);
		assertCode(post("/v2/models/gone-tiny/versions/1/infer", """
				{"inputs": [{"name": "image", "shape": [1], "datatype": "BYTES", "data": ["%s"]}]}""".formatted(image)),
				HttpStatus.CONFLICT, "artifact_missing");
		assertCode(http.getForEntity("/api/v1/models/gone-tiny/versions/1/artifact", String.class),
				HttpStatus.CONFLICT, "artifact_missing");
	}

	@Test
	void anAliasIsNotMovedOntoAVersionThatCannotServe() throws Exception {
		register("refuse-tiny", 3);
		assertThat(moveAlias("refuse-tiny", 1).getStatusCode()).isEqualTo(HttpStatus.OK);

		store.delete(registry.version("refuse-tiny", 2).artifactKey());
		assertCode(moveAlias("refuse-tiny", 2), HttpStatus.CONFLICT, "artifact_missing");

		// a version recorded with one label more than its model answers, as imports were before they were checked
		assertThat(jdbc.update("UPDATE model_versions SET spec = REPLACE(spec, '\"fish\"]', '\"fish\",\"eel\"]') "
				+ "WHERE name = ? AND version = ?", "refuse-tiny", 3)).isEqualTo(1);
		assertCode(moveAlias("refuse-tiny", 3), HttpStatus.CONFLICT, "warmup_failed");

		assertThat(registry.get("refuse-tiny").aliases()).containsEntry("production", 1);
		assertThat(servedBy("refuse-tiny")).as("the old target keeps serving").isEqualTo("refuse-tiny:1");
		assertThat(manager.isLoaded("refuse-tiny", 1)).isTrue();
	}

	@Test
	void readinessIsDownWhileTheVersionBehindProductionCannotLoad() throws Exception {
		register("ready-tiny", 2);
		assertThat(moveAlias("ready-tiny", 1).getStatusCode()).isEqualTo(HttpStatus.OK);
		assertThat(readiness().getStatusCode()).isEqualTo(HttpStatus.OK);

		// another replica moves production onto a version whose bytes this one cannot read
		store.delete(registry.version("ready-tiny", 2).artifactKey());
		assertThat(jdbc.update("UPDATE model_aliases SET version = 2 WHERE name = ? AND alias = 'production'",
				"ready-tiny")).isEqualTo(1);
		manager.syncWithRegistry();

		ResponseEntity<String> down = readiness();
		assertThat(down.getStatusCode()).as(down.getBody()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
		assertThat(json.readTree(down.getBody()).at("/components/models/details/failed/ready-tiny@production").asText())
			.contains("ready-tiny:2");

		assertThat(moveAlias("ready-tiny", 1).getStatusCode()).isEqualTo(HttpStatus.OK);
		ResponseEntity<String> up = readiness();
		assertThat(up.getStatusCode()).as(up.getBody()).isEqualTo(HttpStatus.OK);
	}

	private void register(String name, int versions) {
		for (int i = 0; i < versions; i++) {
			ResponseEntity<String> created = RegistryHttp.importVersion(http, name, Images.tinyTorchScript(),
					Images.tinyMetadata(null));
			assertThat(created.getStatusCode()).as(created.getBody()).isEqualTo(HttpStatus.CREATED);
		}
	}

	private ResponseEntity<String> moveAlias(String name, int version) {
		HttpHeaders headers = new HttpHeaders();
		headers.setContentType(MediaType.APPLICATION_JSON);
		return http.exchange("/api/v1/models/" + name + "/aliases/production", HttpMethod.PUT,
				new HttpEntity<>("{\"version\": " + version + "}", headers), String.class);
	}

	private ResponseEntity<String> readiness() {
		return http.getForEntity("/actuator/health/readiness", String.class);
	}

	private ResponseEntity<String> post(String path, String body) {
		HttpHeaders headers = new HttpHeaders();
		headers.setContentType(MediaType.APPLICATION_JSON);
		return http.postForEntity(path, new HttpEntity<>(body, headers), String.class);
	}

	private String servedBy(String ref) throws Exception {
		ResponseEntity<String> r = Images.classify(http, ref, PNG, MediaType.IMAGE_PNG);
		assertThat(r.getStatusCode()).as(r.getBody()).isEqualTo(HttpStatus.OK);
		return json.readTree(r.getBody()).get("model").asText();
	}

	private void assertCode(ResponseEntity<String> response, HttpStatus status, String code) throws Exception {
		assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(status);
		JsonNode problem = json.readTree(response.getBody());
		assertThat(problem.get("code").asText()).as(response.getBody()).isEqualTo(code);
	}

}
