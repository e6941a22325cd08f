package io.deepserve.registry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

import io.deepserve.error.DeepserveException;
import io.deepserve.storage.ChecksumMismatchException;
import io.deepserve.storage.Sha256;

import io.deepserve.ApplicationTestSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RegistryTests extends ApplicationTestSupport {

	@Autowired
	ModelRegistry registry;

	@Autowired
	ObjectMapper json;

	@Test
	void importsATorchScriptModelAndServesItsExactBytes() throws Exception {
		byte[] artifact = RegistryHttp.tinyTorchScript();
		ResponseEntity<String> created = RegistryHttp.importVersion(http, "tiny", artifact, RegistryHttp.TINY_METADATA);

		assertThat(created.getStatusCode()).isEqualTo(HttpStatus.CREATED);
		JsonNode v = json.readTree(created.getBody());
		assertThat(v.get("version").asInt()).isEqualTo(1);
		assertThat(v.get("format").asText()).isEqualTo("torchscript");
		assertThat(v.get("task").asText()).isEqualTo("image-classification");
		assertThat(v.get("sha256").asText()).isEqualTo(Sha256.of(artifact));
		assertThat(v.get("sizeBytes").asLong()).isEqualTo(artifact.length);
		// 8*3*3*3 + 8 conv, 8*3 + 3 linear: counted by the engine, not taken from the client
		assertThat(v.get("parameters").asLong()).isEqualTo(251);
		assertThat(v.get("status").asText()).isEqualTo("READY");
		assertThat(v.has("artifactKey")).isFalse();
		assertThat(v.has("torchScript")).isFalse();
		assertThat(created.getHeaders().getLocation()).hasPath("/api/v1/models/tiny/versions/1");

		ResponseEntity<byte[]> download = http.getForEntity("/api/v1/models/tiny/versions/1/artifact", byte[].class);
		assertThat(download.getStatusCode()).isEqualTo(HttpStatus.OK);
		assertThat(download.getBody()).isEqualTo(artifact);
		assertThat(download.getHeaders().getETag()).isEqualTo("\"" + Sha256.of(artifact) + "\"");
	}

	@Test
	void aliasesMoveAtomicallyKeepHistoryAndDriveReferences() throws Exception {
		byte[] artifact = RegistryHttp.tinyTorchScript();
		for (int i = 0; i < 3; i++) {
			assertThat(RegistryHttp.importVersion(http, "refs", artifact, RegistryHttp.TINY_METADATA).getStatusCode())
				.isEqualTo(HttpStatus.CREATED);
		}
		// no production alias: the bare name is the newest READY version
		assertThat(registry.resolve("refs").version()).isEqualTo(3);
		assertThat(registry.resolve("refs:2").version()).isEqualTo(2);

		assertThat(putAlias("refs", "production", 1).getStatusCode()).isEqualTo(HttpStatus.OK);
		assertThat(putAlias("refs", "staging", 2).getStatusCode()).isEqualTo(HttpStatus.OK);
		assertThat(registry.resolve("refs").version()).isEqualTo(1);
		assertThat(registry.resolve("refs@staging").version()).isEqualTo(2);

		assertThat(putAlias("refs", "production", 3).getStatusCode()).isEqualTo(HttpStatus.OK);
		assertThat(registry.resolve("refs").version()).isEqualTo(3);

		JsonNode history = json.readTree(http.getForObject("/api/v1/models/refs/aliases/production/history",
				String.class));
		assertThat(history).hasSize(2);
		assertThat(history.get(0).get("toVersion").asInt()).isEqualTo(1);
		assertThat(history.get(0).has("fromVersion")).isFalse();
		assertThat(history.get(1).get("fromVersion").asInt()).isEqualTo(1);
		assertThat(history.get(1).get("toVersion").asInt()).isEqualTo(3);
		assertThat(history.get(1).get("changedBy").asText()).isEqualTo("anonymous");
		assertThat(history.get(1).get("changedAt").asText()).isNotBlank();

		JsonNode listed = json.readTree(http.getForObject("/api/v1/models", String.class));
		JsonNode refs = Stream.of(json.treeToValue(listed, JsonNode[].class))
			.filter(m -> m.get("name").asText().equals("refs"))
			.findFirst()
			.orElseThrow();
		assertThat(refs.get("latestVersion").asInt()).isEqualTo(3);
		assertThat(json.treeToValue(refs.get("aliases"), Map.class)).isEqualTo(Map.of("production", 3, "staging", 2));

		assertThat(http.exchange("/api/v1/models/refs/aliases/staging", HttpMethod.DELETE, null, String.class)
			.getStatusCode()).isEqualTo(HttpStatus.NO_CONTENT);
		assertThatThrownBy(() -> registry.resolve("refs@staging")).isInstanceOf(DeepserveException.class)
			.extracting("code")
			.isEqualTo("alias_not_found");
	}

	@Test
	void aVersionBehindAnAliasCannotBeDeletedAndNumbersAreNeverReused() throws Exception {
		byte[] artifact = RegistryHttp.tinyTorchScript();
		RegistryHttp.importVersion(http, "keep", artifact, RegistryHttp.TINY_METADATA);
		RegistryHttp.importVersion(http, "keep", artifact, RegistryHttp.TINY_METADATA);
		putAlias("keep", "production", 2);

		ResponseEntity<String> refused = http.exchange("/api/v1/models/keep/versions/2", HttpMethod.DELETE, null,
				String.class);
		assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
		assertThat(refused.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(json.readTree(refused.getBody()).get("code").asText()).isEqualTo("version_in_use");
		assertThat(registry.version("keep", 2).status()).isEqualTo(ModelVersion.Status.READY);

		assertThat(http.exchange("/api/v1/models/keep/versions/1", HttpMethod.DELETE, null, String.class)
			.getStatusCode()).isEqualTo(HttpStatus.NO_CONTENT);
		assertThat(http.getForEntity("/api/v1/models/keep/versions/1", String.class).getStatusCode())
			.isEqualTo(HttpStatus.NOT_FOUND);
		JsonNode third = json.readTree(
				RegistryHttp.importVersion(http, "keep", artifact, RegistryHttp.TINY_METADATA).getBody());
		assertThat(third.get("version").asInt()).isEqualTo(3);
	}

	@Test
	void anArtifactWhoseBytesChangedOnDiskIsRefusedNeverServed() throws Exception {
		ModelVersion v = registry.resolve(json
			.readTree(RegistryHttp.importVersion(http, "corrupt", RegistryHttp.tinyTorchScript(),
					RegistryHttp.TINY_METADATA).getBody())
			.get("name")
			.asText() + ":1");
		Path file = DATA_DIR.resolve("artifacts").resolve(v.artifactKey());
		byte[] bytes = Files.readAllBytes(file);
		bytes[bytes.length / 2] ^= 0x01;
		Files.write(file, bytes);

		ResponseEntity<String> download = http.getForEntity("/api/v1/models/corrupt/versions/1/artifact",
				String.class);
		assertThat(download.getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
		assertThat(json.readTree(download.getBody()).get("code").asText()).isEqualTo("checksum_mismatch");
		assertThatThrownBy(() -> registry.materialize(v)).isInstanceOf(ChecksumMismatchException.class);
	}

	@Test
	void badImportsAreRefusedWithACodeAndStoreNothing() throws Exception {
		byte[] good = RegistryHttp.tinyTorchScript();
		assertProblem(RegistryHttp.importVersion(http, "Bad Name", good, RegistryHttp.TINY_METADATA), 400,
				"invalid_name");
		assertProblem(RegistryHttp.importVersion(http, "bad", "not a zip".getBytes(), RegistryHttp.TINY_METADATA),
				400, "invalid_artifact");
		assertProblem(RegistryHttp.importVersion(http, "bad", RegistryHttp.zip("../../evil.params", "x"),
				RegistryHttp.TINY_METADATA), 400, "unsafe_zip_entry");
		assertProblem(RegistryHttp.importVersion(http, "bad", RegistryHttp.zip("readme.txt", "hello"),
				RegistryHttp.TINY_METADATA), 400, "invalid_artifact");
		assertProblem(RegistryHttp.importVersion(http, "bad", good, "{not json"), 400, "invalid_metadata");
		assertProblem(RegistryHttp.importVersion(http, "bad", good,
				"{\"task\": \"image-classification\", \"architecture\": \"torchscript\", \"labels\": [\"one\"],"
						+ " \"preprocessing\": {\"imageSize\": 32}}"),
				400, "invalid_metadata");
		assertProblem(RegistryHttp.importVersion(http, "bad", good,
				"{\"task\": \"speech\", \"architecture\": \"torchscript\"}"), 400, "invalid_metadata");
		// a TorchScript-shaped archive whose contents the engine cannot load
		assertProblem(RegistryHttp.importVersion(http, "bad",
				RegistryHttp.zip("m/data.pkl", "garbage", "m/code/__torch__.py", "garbage"),
				RegistryHttp.TINY_METADATA), 400, "invalid_artifact");

		assertProblem(http.getForEntity("/api/v1/models/bad", String.class), 404, "model_not_found");
		assertProblem(http.getForEntity("/api/v1/models/nothing/versions/1", String.class), 404, "model_not_found");
		try (Stream<Path> files = Files.walk(DATA_DIR.resolve("artifacts"))) {
			assertThat(files.filter(Files::isRegularFile).map(Path::toString).filter(p -> p.contains("/bad/")))
				.isEmpty();
		}
	}

	@Test
	void theResizeMethodIsStoredWithTheVersionAndAnUnknownOneRefused() throws Exception {
		byte[] artifact = RegistryHttp.tinyTorchScript();
		String metadata = RegistryHttp.TINY_METADATA.replace("\"imageSize\": 32",
				"\"imageSize\": 32, \"resizeMethod\": \"%s\"");
		assertThat(RegistryHttp.importVersion(http, "resized", artifact, metadata.formatted("antialias"))
			.getStatusCode()).isEqualTo(HttpStatus.CREATED);
		JsonNode v = json.readTree(http.getForObject("/api/v1/models/resized/versions/1", String.class));
		assertThat(v.at("/preprocessing/resizeMethod").asText()).isEqualTo("antialias");
		assertProblem(RegistryHttp.importVersion(http, "resized", artifact, metadata.formatted("lanczos")), 400,
				"invalid_metadata");
	}

	@Test
	void aliasRequestsAreValidated() throws Exception {
		RegistryHttp.importVersion(http, "aliased", RegistryHttp.tinyTorchScript(), RegistryHttp.TINY_METADATA);
		assertProblem(putAlias("aliased", "production", 9), 404, "version_not_found");
		assertProblem(putAlias("aliased", "Not Valid", 1), 400, "invalid_alias");
		assertProblem(http.exchange("/api/v1/models/aliased/aliases/production", HttpMethod.PUT,
				new HttpEntity<>(Map.of("version", "x")), String.class), 400, "invalid_json");
		assertProblem(http.exchange("/api/v1/models/aliased/aliases/production", HttpMethod.PUT,
				new HttpEntity<>(Map.of()), String.class), 400, "invalid_request");
		assertThatThrownBy(() -> registry.resolve("aliased@@x")).isInstanceOf(DeepserveException.class)
			.extracting("code")
			.isEqualTo("invalid_reference");
	}

	private ResponseEntity<String> putAlias(String name, String alias, int version) {
		return http.exchange("/api/v1/models/" + name + "/aliases/" + alias, HttpMethod.PUT,
				new HttpEntity<>(Map.of("version", version)), String.class);
	}

	private void assertProblem(ResponseEntity<String> response, int status, String code) throws IOException {
		assertThat(response.getStatusCode().value()).as(response.getBody()).isEqualTo(status);
		assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		JsonNode body = json.readTree(response.getBody());
		assertThat(body.get("code").asText()).isEqualTo(code);
		assertThat(body.get("detail").asText()).isNotBlank();
		assertThat(List.of("type", "title", "status")).allSatisfy(f -> assertThat(body.has(f)).isTrue());
	}

}
