package io.deepserve.inference.oip;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.autoconfigure.web.servlet.WebMvcTest;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

import io.deepserve.config.DeepserveProperties;
import io.deepserve.error.InvalidInputException;
import io.deepserve.error.NotFoundException;
import io.deepserve.error.PayloadTooLargeException;
import io.deepserve.error.UnavailableException;

import static io.deepserve.web.ProblemMatchers.problem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.isNull;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/** The Open Inference Protocol's HTTP edge: probes, which version a path names, the infer body, and the refusals. */
@WebMvcTest(OipController.class)
@EnableConfigurationProperties(DeepserveProperties.class)
class OipControllerTests {

	private static final String INFER = """
			{"inputs": [{"name": "input", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}]}""";

	@Autowired
	MockMvc mvc;

	@MockitoBean
	OipService oip;

	@MockitoBean
	HealthEndpoint health;

	@Test
	void theServerDescribesItself() throws Exception {
		mvc.perform(get("/v2"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.name").value("deepserve"))
			.andExpect(jsonPath("$.version").isString())
			.andExpect(jsonPath("$.extensions", empty()));
	}

	@Test
	void liveAndReadyFollowTheActuatorGroups() throws Exception {
		when(health.healthForPath("liveness")).thenReturn(Health.up().build());
		when(health.healthForPath("readiness")).thenReturn(Health.outOfService().build());

		mvc.perform(get("/v2/health/live")).andExpect(status().isOk()).andExpect(jsonPath("$.live").value(true));
		mvc.perform(get("/v2/health/ready"))
			.andExpect(status().isServiceUnavailable())
			.andExpect(jsonPath("$.ready").value(false));
	}

	@Test
	void aProbeGroupThatIsMissingIsNotUp() throws Exception {
		mvc.perform(get("/v2/health/live"))
			.andExpect(status().isServiceUnavailable())
			.andExpect(jsonPath("$.live").value(false));
	}

	@Test
	void metadataAndReadinessNameTheVersionTheyWereAskedFor() throws Exception {
		when(oip.metadata("shapes", null)).thenReturn(Map.of("name", "shapes", "versions", List.of("1", "2")));
		when(oip.metadata("shapes", 1)).thenReturn(Map.of("name", "shapes", "versions", List.of("1")));
		when(oip.ready("shapes", null)).thenReturn(Map.of("name", "shapes", "ready", true));
		when(oip.ready("shapes", 2)).thenReturn(Map.of("name", "shapes", "version", "2", "ready", true));

		mvc.perform(get("/v2/models/shapes"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.versions[1]").value("2"));
		mvc.perform(get("/v2/models/shapes/versions/1"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.versions[0]").value("1"));
		mvc.perform(get("/v2/models/shapes/ready"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.ready").value(true));
		mvc.perform(get("/v2/models/shapes/versions/2/ready"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.version").value("2"));
	}

	@Test
	void aVersionThatIsNotANumberIs400() throws Exception {
		mvc.perform(get("/v2/models/shapes/versions/latest")).andExpect(problem(400, "invalid_request"));
		mvc.perform(post("/v2/models/shapes/versions/v1/infer").contentType(MediaType.APPLICATION_JSON).content(INFER))
			.andExpect(problem(400, "invalid_request"));
		verifyNoInteractions(oip);
	}

	@Test
	void anUnknownModelIs404() throws Exception {
		when(oip.metadata("nope", null)).thenThrow(new NotFoundException("model_not_found", "no model nope"));
		when(oip.ready("nope", null)).thenThrow(new NotFoundException("model_not_found", "no model nope"));

		mvc.perform(get("/v2/models/nope")).andExpect(problem(404, "model_not_found"));
		mvc.perform(get("/v2/models/nope/ready")).andExpect(problem(404, "model_not_found"));
	}

	@Test
	void inferHandsTheServiceTheBodyAndItsLength() throws Exception {
		byte[] body = INFER.getBytes(StandardCharsets.UTF_8);
		when(oip.infer(eq("shapes"), eq(2), any(), eq((long) body.length))).thenAnswer(call -> {
			String read = new String(call.<InputStream>getArgument(2).readAllBytes(), StandardCharsets.UTF_8);
			assertThat(read).isEqualTo(INFER);
			return Map.of("model_name", "shapes", "model_version", "2",
					"outputs", List.of(Map.of("name", "probabilities", "shape", List.of(1, 2), "datatype", "FP32",
							"data", List.of(0.25, 0.75))));
		});

		mvc.perform(post("/v2/models/shapes/versions/2/infer").contentType(MediaType.APPLICATION_JSON).content(body))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.model_version").value("2"))
			.andExpect(jsonPath("$.outputs[0].name").value("probabilities"))
			.andExpect(jsonPath("$.outputs[0].data[1]").value(0.75));
	}

	@Test
	void inferWithoutAVersionLeavesTheChoiceToTheService() throws Exception {
		when(oip.infer(eq("shapes"), isNull(), any(), anyLong())).thenReturn(Map.of("model_version", "3"));

		mvc.perform(post("/v2/models/shapes/infer").contentType(MediaType.APPLICATION_JSON).content(INFER))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.model_version").value("3"));
	}

	@Test
	void anInferBodyThatIsNotJsonIs415() throws Exception {
		mvc.perform(post("/v2/models/shapes/infer").contentType(MediaType.APPLICATION_OCTET_STREAM).content(INFER))
			.andExpect(problem(415, "unsupported_media_type"));
		verifyNoInteractions(oip);
	}

	@Test
	void theServicesRefusalsKeepTheirStatusCodeAndRetryAfter() throws Exception {
		when(oip.infer(eq("shapes"), isNull(), any(), anyLong()))
			.thenThrow(new InvalidInputException("invalid_tensor", "input 'input' has 3 numbers, its shape says 6"))
			.thenThrow(new PayloadTooLargeException("tensor_too_large", "the tensor has too many elements"))
			.thenThrow(new UnavailableException("model_loading", "shapes:2 is loading", 5));

		mvc.perform(post("/v2/models/shapes/infer").contentType(MediaType.APPLICATION_JSON).content(INFER))
			.andExpect(problem(400, "invalid_tensor"));
		mvc.perform(post("/v2/models/shapes/infer").contentType(MediaType.APPLICATION_JSON).content(INFER))
			.andExpect(problem(413, "tensor_too_large"));
		mvc.perform(post("/v2/models/shapes/infer").contentType(MediaType.APPLICATION_JSON).content(INFER))
			.andExpect(problem(503, "model_loading"))
			.andExpect(header().string(HttpHeaders.RETRY_AFTER, "5"));
	}

}
