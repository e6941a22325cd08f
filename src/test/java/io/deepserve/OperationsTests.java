package io.deepserve;


import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

import static org.assertj.core.api.Assertions.assertThat;

class OperationsTests extends ApplicationTestSupport {

	@Autowired
	ObjectMapper json;

	@Test
	void openApiDescribesTheRegistryAndTheUiIsServed() throws Exception {
		JsonNode api = json.readTree(http.getForObject("/v3/api-docs", String.class));
		assertThat(api.get("openapi").asText()).startsWith("3.");
		assertThat(api.get("paths").has("/api/v1/models/{name}/versions")).isTrue();
		assertThat(api.get("paths").has("/api/v1/models/{name}/aliases/{alias}")).isTrue();
		ResponseEntity<String> ui = http.getForEntity("/swagger-ui/index.html", String.class);
		assertThat(ui.getStatusCode()).isEqualTo(HttpStatus.OK);
		assertThat(ui.getBody()).contains("swagger-ui");
	}

	@Test
	void prometheusEndpointExposesJvmAndHttpMetrics() {
		http.getForObject("/api/v1/models", String.class);
		String metrics = http.getForObject("/actuator/prometheus", String.class);
		assertThat(metrics).contains("jvm_memory_used_bytes").contains("http_server_requests_seconds");
	}

	@Test
	void unknownRoutesAndMethodsAreProblemsWithACode() throws Exception {
		ResponseEntity<String> missing = http.getForEntity("/api/v1/nothing-here", String.class);
		assertThat(missing.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
		assertThat(missing.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(json.readTree(missing.getBody()).get("code").asText()).isEqualTo("not_found");

		ResponseEntity<String> wrongMethod = http.postForEntity("/api/v1/models", null, String.class);
		assertThat(wrongMethod.getStatusCode()).isEqualTo(HttpStatus.METHOD_NOT_ALLOWED);
		assertThat(json.readTree(wrongMethod.getBody()).get("code").asText()).isEqualTo("method_not_allowed");
	}

}
