package io.deepserve.inference.vision;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.autoconfigure.web.servlet.WebMvcTest;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

import io.deepserve.config.DeepserveProperties;
import io.deepserve.error.InvalidInputException;
import io.deepserve.error.NotFoundException;
import io.deepserve.error.PayloadTooLargeException;
import io.deepserve.error.UnavailableException;
import io.deepserve.registry.ArtifactFormat;
import io.deepserve.registry.ModelVersion;
import io.deepserve.registry.Task;

import static io.deepserve.web.ProblemMatchers.problem;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/** {@code /classify}'s HTTP edge: the two body forms, the byte limit, {@code topK}, and the classifier's refusals. */
@WebMvcTest(ClassifyController.class)
@EnableConfigurationProperties(DeepserveProperties.class)
@TestPropertySource(properties = "deepserve.inference.max-image-bytes=1KB")
class ClassifyControllerTests {

	private static final byte[] IMAGE = { (byte) 0x89, 'P', 'N', 'G', 1, 2, 3 };

	@Autowired
	MockMvc mvc;

	@MockitoBean
	ImageClassifier classifier;

	@Test
	void aRawImageIsCheckedAgainstTheResolvedVersionThenClassifiedByItsReference() throws Exception {
		when(classifier.resolve("shapes@production")).thenReturn(version());
		when(classifier.classify("shapes@production", IMAGE, 2, "none")).thenReturn(new Classification("shapes:2",
				List.of(new Classification.Prediction("circle", 0.75f), new Classification.Prediction("square", 0.25f)),
				new Classification.Timings(0.5, 1.5, 2.5)));

		mvc.perform(post("/api/v1/models/shapes@production/classify").param("topK", "2")
			.contentType(MediaType.IMAGE_PNG)
			.content(IMAGE))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.model").value("shapes:2"))
			.andExpect(jsonPath("$.predictions[0].label").value("circle"))
			.andExpect(jsonPath("$.predictions[0].probability").value(0.75))
			.andExpect(jsonPath("$.predictions[1].label").value("square"))
			.andExpect(jsonPath("$.timings.queueMs").value(0.5))
			.andExpect(jsonPath("$.timings.preprocessMs").value(1.5))
			.andExpect(jsonPath("$.timings.inferenceMs").value(2.5));
	}

	@Test
	void topKIsFiveByDefaultAndOctetStreamIsAccepted() throws Exception {
		when(classifier.resolve("shapes")).thenReturn(version());

		mvc.perform(post("/api/v1/models/shapes/classify").contentType(MediaType.APPLICATION_OCTET_STREAM)
			.content(IMAGE)).andExpect(status().isOk());
		verify(classifier).classify("shapes", IMAGE, 5, "none");
	}

	@Test
	void ttaIsPassedOnAndAnUnknownOneRefusedBeforeTheModelIsResolved() throws Exception {
		when(classifier.resolve("shapes")).thenReturn(version());

		mvc.perform(post("/api/v1/models/shapes/classify").param("tta", "10crop")
			.contentType(MediaType.IMAGE_PNG)
			.content(IMAGE)).andExpect(status().isOk());
		verify(classifier).classify("shapes", IMAGE, 5, "10crop");
		mvc.perform(post("/api/v1/models/shapes/classify").param("tta", "multiscale")
			.contentType(MediaType.IMAGE_PNG)
			.content(IMAGE)).andExpect(status().isOk());
		verify(classifier).classify("shapes", IMAGE, 5, "multiscale");

		mvc.perform(post("/api/v1/models/shapes/classify").param("tta", "multi-scale")
			.contentType(MediaType.IMAGE_PNG)
			.content(IMAGE)).andExpect(problem(400, "invalid_tta"));
		verify(classifier, never()).classify(anyString(), any(), anyInt(), eq("multi-scale"));
	}

	@Test
	void aTopKThatIsNotANumberIs400() throws Exception {
		mvc.perform(post("/api/v1/models/shapes/classify").param("topK", "all")
			.contentType(MediaType.IMAGE_PNG)
			.content(IMAGE)).andExpect(problem(400, "invalid_request"));
		verifyNoInteractions(classifier);
	}

	@Test
	void otherMediaTypesAre415() throws Exception {
		mvc.perform(post("/api/v1/models/shapes/classify").contentType(MediaType.IMAGE_GIF).content(IMAGE))
			.andExpect(problem(415, "unsupported_media_type"));
		mvc.perform(post("/api/v1/models/shapes/classify").contentType(MediaType.APPLICATION_JSON).content("{}"))
			.andExpect(problem(415, "unsupported_media_type"));
		verifyNoInteractions(classifier);
	}

	@Test
	void aBodyOverTheLimitIs413BeforeTheModelIsResolved() throws Exception {
		mvc.perform(post("/api/v1/models/shapes/classify").contentType(MediaType.IMAGE_JPEG).content(new byte[1025]))
			.andExpect(problem(413, "payload_too_large"));
		verifyNoInteractions(classifier);
	}

	@Test
	void aBodyAtTheLimitIsClassified() throws Exception {
		when(classifier.resolve("shapes")).thenReturn(version());

		mvc.perform(post("/api/v1/models/shapes/classify").contentType(MediaType.IMAGE_JPEG).content(new byte[1024]))
			.andExpect(status().isOk());
		verify(classifier).classify(eq("shapes"), any(), eq(5), eq("none"));
	}

	@Test
	void anEmptyBodyIs400InvalidImage() throws Exception {
		when(classifier.resolve("shapes")).thenReturn(version());

		mvc.perform(post("/api/v1/models/shapes/classify").contentType(MediaType.IMAGE_PNG).content(new byte[0]))
			.andExpect(problem(400, "invalid_image"));
		verify(classifier, never()).classify(anyString(), any(), anyInt(), anyString());
	}

	@Test
	void anUnknownModelIs404WithoutClassifying() throws Exception {
		when(classifier.resolve("nope")).thenThrow(new NotFoundException("model_not_found", "no model nope"));

		mvc.perform(post("/api/v1/models/nope/classify").contentType(MediaType.IMAGE_PNG).content(IMAGE))
			.andExpect(problem(404, "model_not_found"));
		verify(classifier, never()).classify(anyString(), any(), anyInt(), anyString());
	}

	@Test
	void theClassifiersRefusalsKeepTheirStatusCodeAndRetryAfter() throws Exception {
		when(classifier.resolve("shapes")).thenReturn(version());
		when(classifier.classify(eq("shapes"), any(), anyInt(), anyString()))
			.thenThrow(new InvalidInputException("invalid_image", "the bytes are not a JPEG or PNG image"))
			.thenThrow(new PayloadTooLargeException("image_too_large", "the image has more pixels than allowed"))
			.thenThrow(new UnavailableException("queue_full", "shapes:2 has 64 requests waiting", 2));

		mvc.perform(post("/api/v1/models/shapes/classify").contentType(MediaType.IMAGE_PNG).content(IMAGE))
			.andExpect(problem(400, "invalid_image"));
		mvc.perform(post("/api/v1/models/shapes/classify").contentType(MediaType.IMAGE_PNG).content(IMAGE))
			.andExpect(problem(413, "image_too_large"));
		mvc.perform(post("/api/v1/models/shapes/classify").contentType(MediaType.IMAGE_PNG).content(IMAGE))
			.andExpect(problem(503, "queue_full"))
			.andExpect(header().string(HttpHeaders.RETRY_AFTER, "2"));
	}

	@Test
	void aMultipartImagePartIsClassifiedByItsReference() throws Exception {
		when(classifier.classify("shapes:1", IMAGE, 3, "none")).thenReturn(new Classification("shapes:1",
				List.of(new Classification.Prediction("circle", 1f)), new Classification.Timings(0, 0, 0)));

		mvc.perform(multipart("/api/v1/models/shapes:1/classify").file(image(IMAGE)).param("topK", "3"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.model").value("shapes:1"))
			.andExpect(jsonPath("$.predictions[0].label").value("circle"));
	}

	@Test
	void aMultipartBodyWithoutTheImagePartIs400() throws Exception {
		mvc.perform(multipart("/api/v1/models/shapes/classify")
			.file(new MockMultipartFile("file", "a.png", MediaType.IMAGE_PNG_VALUE, IMAGE)))
			.andExpect(problem(400, "bad_request"));
		verifyNoInteractions(classifier);
	}

	@Test
	void aMultipartImageOverTheLimitIs413() throws Exception {
		mvc.perform(multipart("/api/v1/models/shapes/classify").file(image(new byte[1025])))
			.andExpect(problem(413, "payload_too_large"));
		mvc.perform(multipart("/api/v1/models/shapes/classify").file(image(new byte[0])))
			.andExpect(problem(400, "invalid_image"));
		verifyNoInteractions(classifier);
	}

	private static MockMultipartFile image(byte[] bytes) {
		return new MockMultipartFile("image", "a.png", MediaType.IMAGE_PNG_VALUE, bytes);
	}

	private static ModelVersion version() {
		return new ModelVersion("shapes", 2, Task.IMAGE_CLASSIFICATION, "resnet18", ArtifactFormat.DJL, null,
				List.of("circle", "square"), null, null, null, null, null, "abc123", 4, null,
				Instant.parse("2026-01-02T03:04:05Z"), ModelVersion.Status.READY, "k");
	}

}
