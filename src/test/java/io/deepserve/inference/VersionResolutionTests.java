package io.deepserve.inference;

import java.time.Duration;

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
import io.deepserve.registry.RegistryHttp;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A request for a loaded version does not read the registry, yet follows every change to it: deletions and new
 * versions made in this process at once, those made through another replica at the next sync.
 */
class VersionResolutionTests extends ApplicationTestSupport {

	private static final byte[] PNG = Images.encode(Images.pattern(32, 32, 5), "png");

	@Autowired
	WorkloadManager manager;

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	ObjectMapper json;

	@Test
	void aDeletedVersionStopsServingAtOnce() throws Exception {
		register("deleted-tiny", 2);
		assertThat(servedBy("deleted-tiny:1")).isEqualTo("deleted-tiny:1");
		assertThat(manager.isLoaded("deleted-tiny", 1)).isTrue();

		ResponseEntity<String> deleted = http.exchange("/api/v1/models/deleted-tiny/versions/1", HttpMethod.DELETE,
				null, String.class);
		assertThat(deleted.getStatusCode().is2xxSuccessful()).as(deleted.getBody()).isTrue();

		ResponseEntity<String> after = Images.classify(http, "deleted-tiny:1", PNG, MediaType.IMAGE_PNG);
		assertThat(after.getStatusCode()).as(after.getBody()).isEqualTo(HttpStatus.NOT_FOUND);
		assertThat(json.readTree(after.getBody()).get("code").asText()).isEqualTo("version_not_found");
		awaitUnloaded("deleted-tiny", 1);
		assertThat(servedBy("deleted-tiny:2")).isEqualTo("deleted-tiny:2");
	}

	@Test
	void aBareNameFollowsEachNewVersionAndTheProductionAlias() throws Exception {
		register("bare-tiny", 1);
		assertThat(servedBy("bare-tiny")).isEqualTo("bare-tiny:1");
		register("bare-tiny", 1);
		assertThat(servedBy("bare-tiny")).as("the newest READY version").isEqualTo("bare-tiny:2");

		ResponseEntity<String> moved = http.exchange("/api/v1/models/bare-tiny/aliases/production", HttpMethod.PUT,
				aliasBody(1), String.class);
		assertThat(moved.getStatusCode()).as(moved.getBody()).isEqualTo(HttpStatus.OK);
		assertThat(servedBy("bare-tiny")).as("production, once there is one").isEqualTo("bare-tiny:1");

		ResponseEntity<String> removed = http.exchange("/api/v1/models/bare-tiny/aliases/production",
				HttpMethod.DELETE, null, String.class);
		assertThat(removed.getStatusCode().is2xxSuccessful()).as(removed.getBody()).isTrue();
		assertThat(servedBy("bare-tiny")).as("the newest again, once production is gone").isEqualTo("bare-tiny:2");
	}

	@Test
	void aVersionDeletedThroughAnotherReplicaServesFromMemoryUntilTheNextSync() throws Exception {
		register("elsewhere-tiny", 1);
		assertThat(servedBy("elsewhere-tiny")).isEqualTo("elsewhere-tiny:1");
		// what another replica's delete leaves in the shared database; this process gets no event
		assertThat(jdbc.update("DELETE FROM model_versions WHERE name = ? AND version = ?", "elsewhere-tiny", 1))
			.isEqualTo(1);

		assertThat(servedBy("elsewhere-tiny:1")).as("served by the loaded copy, without a registry read")
			.isEqualTo("elsewhere-tiny:1");
		assertThat(servedBy("elsewhere-tiny")).isEqualTo("elsewhere-tiny:1");

		manager.syncWithRegistry();
		awaitUnloaded("elsewhere-tiny", 1);
		ResponseEntity<String> gone = Images.classify(http, "elsewhere-tiny:1", PNG, MediaType.IMAGE_PNG);
		assertThat(gone.getStatusCode()).as(gone.getBody()).isEqualTo(HttpStatus.NOT_FOUND);
		ResponseEntity<String> bare = Images.classify(http, "elsewhere-tiny", PNG, MediaType.IMAGE_PNG);
		assertThat(bare.getStatusCode()).as(bare.getBody()).isEqualTo(HttpStatus.NOT_FOUND);
		assertThat(json.readTree(bare.getBody()).get("code").asText()).isEqualTo("model_not_ready");
	}

	@Test
	void openInferenceResolvesAsClassifyDoesWithoutReadingTheDatabase() throws Exception {
		register("oip-elsewhere-tiny", 1);
		assertThat(oipServedBy("oip-elsewhere-tiny")).isEqualTo("1");
		assertThat(jdbc.update("DELETE FROM model_versions WHERE name = ? AND version = ?", "oip-elsewhere-tiny", 1))
			.isEqualTo(1);

		assertThat(oipServedBy("oip-elsewhere-tiny")).as("resolved from memory, as /classify is").isEqualTo("1");

		manager.syncWithRegistry();
		ResponseEntity<String> gone = oipInfer("oip-elsewhere-tiny");
		assertThat(gone.getStatusCode()).as(gone.getBody()).isEqualTo(HttpStatus.NOT_FOUND);
	}

	private ResponseEntity<String> oipInfer(String name) {
		HttpHeaders headers = new HttpHeaders();
		headers.setContentType(MediaType.APPLICATION_JSON);
		String body = """
				{"inputs": [{"name": "image", "shape": [1], "datatype": "BYTES", "data": ["%s"]}]}"""
			.formatted(java.util.Base64.getEncoder().encodeToString(PNG));
		return http.postForEntity("/v2/models/" + name + "/infer", new HttpEntity<>(body, headers), String.class);
	}

	private String oipServedBy(String name) throws Exception {
		ResponseEntity<String> r = oipInfer(name);
		assertThat(r.getStatusCode()).as(r.getBody()).isEqualTo(HttpStatus.OK);
		return json.readTree(r.getBody()).get("model_version").asText();
	}

	private void register(String name, int versions) {
		for (int i = 0; i < versions; i++) {
			ResponseEntity<String> created = RegistryHttp.importVersion(http, name, Images.tinyTorchScript(),
					Images.tinyMetadata(null));
			assertThat(created.getStatusCode()).as(created.getBody()).isEqualTo(HttpStatus.CREATED);
		}
	}

	private static HttpEntity<String> aliasBody(int version) {
		HttpHeaders headers = new HttpHeaders();
		headers.setContentType(MediaType.APPLICATION_JSON);
		return new HttpEntity<>("{\"version\": " + version + "}", headers);
	}

	private String servedBy(String ref) throws Exception {
		ResponseEntity<String> r = Images.classify(http, ref, PNG, MediaType.IMAGE_PNG);
		assertThat(r.getStatusCode()).as(r.getBody()).isEqualTo(HttpStatus.OK);
		return json.readTree(r.getBody()).get("model").asText();
	}

	private void awaitUnloaded(String name, int version) throws InterruptedException {
		long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
		while (manager.isLoaded(name, version) && System.nanoTime() < until) {
			Thread.sleep(20);
		}
		assertThat(manager.isLoaded(name, version)).as(name + ":" + version + " unloaded").isFalse();
	}

}
