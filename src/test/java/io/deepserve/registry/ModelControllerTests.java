package io.deepserve.registry;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.autoconfigure.web.servlet.WebMvcTest;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;

import io.deepserve.config.DeepserveProperties;
import io.deepserve.error.ConflictException;
import io.deepserve.error.InvalidInputException;
import io.deepserve.error.NotFoundException;

import static org.assertj.core.api.Assertions.assertThat;
import static io.deepserve.web.ProblemMatchers.problem;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.not;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/** The registry's HTTP edge: what it reads from a request, what it answers, and how the registry's refusals look. */
@WebMvcTest(ModelController.class)
@EnableConfigurationProperties(DeepserveProperties.class)
class ModelControllerTests {

	@Autowired
	MockMvc mvc;

	@MockitoBean
	ModelRegistry registry;

	@Test
	void listsModelsWithTheirNewestVersionAndAliases() throws Exception {
		when(registry.list()).thenReturn(List.of(new ModelRegistry.ModelSummary("shapes", Task.IMAGE_CLASSIFICATION, 3,
				Map.of("production", 2), Instant.parse("2026-01-02T03:04:05Z"))));

		mvc.perform(get("/api/v1/models"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$[0].name").value("shapes"))
			.andExpect(jsonPath("$[0].task").value("image-classification"))
			.andExpect(jsonPath("$[0].latestVersion").value(3))
			.andExpect(jsonPath("$[0].aliases.production").value(2))
			.andExpect(jsonPath("$[0].createdAt").value("2026-01-02T03:04:05Z"));
	}

	@Test
	void oneVersionIsItsModelVersionWithoutTheStorageKey() throws Exception {
		when(registry.version("shapes", 2)).thenReturn(version(ArtifactFormat.DJL));

		mvc.perform(get("/api/v1/models/shapes/versions/2"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.name").value("shapes"))
			.andExpect(jsonPath("$.version").value(2))
			.andExpect(jsonPath("$.format").value("djl"))
			.andExpect(jsonPath("$.labels[1]").value("square"))
			.andExpect(jsonPath("$.sha256").value("abc123"))
			.andExpect(jsonPath("$.status").value("READY"))
			.andExpect(jsonPath("$.artifactKey").doesNotExist());
	}

	@Test
	void aVersionThatIsNotANumberIs400BeforeTheRegistryIsAsked() throws Exception {
		mvc.perform(get("/api/v1/models/shapes/versions/two")).andExpect(problem(400, "invalid_request"));
		verifyNoInteractions(registry);
	}

	@Test
	void anUnknownModelIs404ModelNotFound() throws Exception {
		when(registry.get("nope")).thenThrow(new NotFoundException("model_not_found", "no model nope"));

		mvc.perform(get("/api/v1/models/nope"))
			.andExpect(problem(404, "model_not_found"))
			.andExpect(jsonPath("$.detail").value("no model nope"));
	}

	@Test
	void importRegistersTheArtifactAndAnswers201WithItsLocation() throws Exception {
		when(registry.register(eq("shapes"), any(), any())).thenReturn(version(ArtifactFormat.DJL));

		mvc.perform(multipart("/api/v1/models/shapes/versions").file(artifact())
			.file(metadata("{\"task\": \"image-classification\", \"architecture\": \"resnet18\","
					+ " \"labels\": [\"circle\", \"square\"], \"parameters\": 7}")))
			.andExpect(status().isCreated())
			.andExpect(header().string(HttpHeaders.LOCATION, endsWith("/api/v1/models/shapes/versions/2")))
			.andExpect(jsonPath("$.version").value(2))
			.andExpect(jsonPath("$.name").value("shapes"));

		ArgumentCaptor<NewModelVersion> spec = ArgumentCaptor.forClass(NewModelVersion.class);
		verify(registry).register(eq("shapes"), spec.capture(), any());
		assertThat(spec.getValue().task()).isEqualTo(Task.IMAGE_CLASSIFICATION);
		assertThat(spec.getValue().labels()).containsExactly("circle", "square");
		// the parameter count is the registry's to measure, not the client's to claim
		assertThat(spec.getValue().parameters()).isNull();
	}

	@Test
	void importMetadataWithAnUnknownFieldIs400NamingIt() throws Exception {
		mvc.perform(multipart("/api/v1/models/shapes/versions").file(artifact())
			.file(metadata("{\"task\": \"image-classification\", \"lables\": [\"a\"]}")))
			.andExpect(problem(400, "unknown_field"))
			.andExpect(jsonPath("$.detail").value(containsString("'lables'")));
		verify(registry, never()).register(anyString(), any(), any());
	}

	@Test
	void importMetadataThatIsNotAnObjectIs400InvalidMetadata() throws Exception {
		for (String bad : new String[] { "{task", "null", "{\"inputShape\": \"3,64,64\"}" }) {
			mvc.perform(multipart("/api/v1/models/shapes/versions").file(artifact()).file(metadata(bad)))
				.andExpect(problem(400, "invalid_metadata"));
		}
		verify(registry, never()).register(anyString(), any(), any());
	}

	@Test
	void importWithoutTheArtifactPartIs400() throws Exception {
		mvc.perform(multipart("/api/v1/models/shapes/versions").file(metadata("{}")))
			.andExpect(problem(400, "bad_request"))
			.andExpect(jsonPath("$.detail").value(containsString("artifact")));
		verify(registry, never()).register(anyString(), any(), any());
	}

	@Test
	void importAsJsonIs415() throws Exception {
		mvc.perform(post("/api/v1/models/shapes/versions").contentType(MediaType.APPLICATION_JSON)
			.content("{}")).andExpect(problem(415, "unsupported_media_type"));
	}

	@Test
	void aNameTheRegistryRefusesIs400InvalidName() throws Exception {
		when(registry.register(eq("Bad Name"), any(), any()))
			.thenThrow(new InvalidInputException("invalid_name", "model name 'Bad Name' must match"));

		mvc.perform(multipart("/api/v1/models/Bad Name/versions").file(artifact())
			.file(metadata("{\"task\": \"image-classification\"}")))
			.andExpect(problem(400, "invalid_name"));
	}

	@Test
	void theArtifactIsTheStoredBytesWithItsChecksumAsETag() throws Exception {
		when(registry.version("shapes", 2)).thenReturn(version(ArtifactFormat.DJL));
		when(registry.openArtifact(any())).thenReturn(new ByteArrayInputStream(new byte[] { 1, 2, 3, 4 }));

		mvc.perform(get("/api/v1/models/shapes/versions/2/artifact"))
			.andExpect(status().isOk())
			.andExpect(header().string(HttpHeaders.ETAG, "\"abc123\""))
			.andExpect(content().contentType("application/zip"))
			.andExpect(header().string(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"shapes-2.zip\""))
			.andExpect(content().bytes(new byte[] { 1, 2, 3, 4 }));
	}

	@Test
	void aTorchScriptArtifactIsAPtFileOfOctets() throws Exception {
		when(registry.version("shapes", 2)).thenReturn(version(ArtifactFormat.TORCHSCRIPT));
		when(registry.openArtifact(any())).thenReturn(new ByteArrayInputStream(new byte[] { 1, 2, 3, 4 }));

		mvc.perform(get("/api/v1/models/shapes/versions/2/artifact"))
			.andExpect(status().isOk())
			.andExpect(content().contentType(MediaType.APPLICATION_OCTET_STREAM))
			.andExpect(header().string(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"shapes-2.pt\""));
	}

	@Test
	void aMatchingIfNoneMatchIs304WithoutOpeningTheArtifact() throws Exception {
		when(registry.version("shapes", 2)).thenReturn(version(ArtifactFormat.DJL));

		mvc.perform(get("/api/v1/models/shapes/versions/2/artifact").header(HttpHeaders.IF_NONE_MATCH, "\"abc123\""))
			.andExpect(status().isNotModified())
			.andExpect(header().string(HttpHeaders.ETAG, "\"abc123\""));
		verify(registry, never()).openArtifact(any());
	}

	@Test
	void deletingAVersionIs204AndBehindAnAliasIs409VersionInUse() throws Exception {
		mvc.perform(delete("/api/v1/models/shapes/versions/1")).andExpect(status().isNoContent());
		verify(registry).delete("shapes", 1);

		doThrow(new ConflictException("version_in_use", "shapes:2 is behind alias(es) [production]")).when(registry)
			.delete("shapes", 2);
		mvc.perform(delete("/api/v1/models/shapes/versions/2")).andExpect(problem(409, "version_in_use"));
	}

	@Test
	void settingAnAliasAnswersWhereItNowPoints() throws Exception {
		when(registry.setAlias("shapes", "production", 2, "anonymous")).thenReturn(version(ArtifactFormat.DJL));

		mvc.perform(put("/api/v1/models/shapes/aliases/production").contentType(MediaType.APPLICATION_JSON)
			.content("{\"version\": 2}"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.name").value("shapes"))
			.andExpect(jsonPath("$.alias").value("production"))
			.andExpect(jsonPath("$.version").value(2));
		verify(registry).setAlias("shapes", "production", 2, "anonymous");
	}

	@Test
	void anAliasBodyWithoutAWholeVersionIs400() throws Exception {
		alias("{}").andExpect(problem(400, "invalid_request")).andExpect(jsonPath("$.fields.version").exists());
		alias("{\"version\": \"2\"}").andExpect(problem(400, "invalid_json"));
		alias("{\"version\": 2.5}").andExpect(problem(400, "invalid_json"));
		alias("{\"version\": 2, \"force\": true}").andExpect(problem(400, "unknown_field"));
		alias("").andExpect(problem(400, "invalid_json"));
		verify(registry, never()).setAlias(anyString(), anyString(), anyInt(), anyString());
	}

	@Test
	void anAliasOnAVersionThatIsNotReadyIs409() throws Exception {
		when(registry.setAlias("shapes", "production", 3, "anonymous"))
			.thenThrow(new ConflictException("version_not_ready", "shapes:3 is FAILED"));

		alias("{\"version\": 3}").andExpect(problem(409, "version_not_ready"));
	}

	@Test
	void removingAnAliasIs204AndItsHistoryIsAList() throws Exception {
		mvc.perform(delete("/api/v1/models/shapes/aliases/staging")).andExpect(status().isNoContent());
		verify(registry).deleteAlias("shapes", "staging", "anonymous");

		when(registry.aliasHistory("shapes", "staging")).thenReturn(List.of(new ModelRegistry.AliasChange("staging",
				1, 2, Instant.parse("2026-01-02T03:04:05Z"), "ops")));
		mvc.perform(get("/api/v1/models/shapes/aliases/staging/history"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$[0].fromVersion").value(1))
			.andExpect(jsonPath("$[0].toVersion").value(2))
			.andExpect(jsonPath("$[0].changedBy").value("ops"))
			.andExpect(jsonPath("$[0].changedAt").value("2026-01-02T03:04:05Z"));
	}

	@Test
	void anUnexpectedFailureIs500WithoutItsMessage() throws Exception {
		when(registry.list()).thenThrow(new IllegalStateException("secret path /var/lib/deepserve"));

		mvc.perform(get("/api/v1/models"))
			.andExpect(problem(500, "internal_error"))
			.andExpect(content().string(not(containsString("/var/lib"))));
	}

	private ResultActions alias(String body) throws Exception {
		return mvc.perform(put("/api/v1/models/shapes/aliases/production").contentType(MediaType.APPLICATION_JSON)
			.content(body));
	}

	private static MockMultipartFile artifact() {
		return new MockMultipartFile("artifact", "model.zip", "application/zip", new byte[] { 'P', 'K', 3, 4 });
	}

	private static MockMultipartFile metadata(String json) {
		return new MockMultipartFile("metadata", "", MediaType.APPLICATION_JSON_VALUE,
				json.getBytes(StandardCharsets.UTF_8));
	}

	private static ModelVersion version(ArtifactFormat format) {
		return new ModelVersion("shapes", 2, Task.IMAGE_CLASSIFICATION, "resnet18", format, List.of(3L, 64L, 64L),
				List.of("circle", "square"), null, null, null, null, null, "abc123", 4, 11L,
				Instant.parse("2026-01-02T03:04:05Z"), ModelVersion.Status.READY, "models/shapes/2");
	}

}
