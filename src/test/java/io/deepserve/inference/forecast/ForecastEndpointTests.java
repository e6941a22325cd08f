package io.deepserve.inference.forecast;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

import io.deepserve.ApplicationTestSupport;
import io.deepserve.registry.RegistryHttp;

import static org.assertj.core.api.Assertions.assertThat;

/** Every bad forecast request is a 400 or 404 with its own code, and never reaches the engine unchecked. */
class ForecastEndpointTests extends ApplicationTestSupport {

	static final ObjectMapper JSON = new ObjectMapper();

	@Test
	void badRequestsAreRefusedWithTheirCodes() throws Exception {
		String dataset = sample("fe-sine");
		JsonNode job = train("fe-lstm", dataset);
		assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("SUCCEEDED");
		assertThat(RegistryHttp.importVersion(http, "fe-classifier", RegistryHttp.tinyTorchScript(),
				RegistryHttp.TINY_METADATA).getStatusCode()).isEqualTo(HttpStatus.CREATED);
		String ten = Arrays.toString(new double[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 });
		String twelve = "[" + "100.5,".repeat(11) + "101]";

		ResponseEntity<String> ok = post("fe-lstm", "{\"series\":" + twelve + ",\"horizon\":2}");
		assertThat(ok.getStatusCode()).as(ok.getBody()).isEqualTo(HttpStatus.OK);
		assertThat(JSON.readTree(ok.getBody()).get("forecast")).hasSize(2);
		ResponseEntity<String> all = post("fe-lstm", "{\"series\":" + twelve + "}");
		assertThat(JSON.readTree(all.getBody()).get("forecast")).as("no horizon: all trained steps").hasSize(3);

		Map<String, String[]> cases = new LinkedHashMap<>();
		cases.put("short", new String[] { "fe-lstm", "{\"series\":" + ten + ",\"horizon\":1}", "series_too_short" });
		cases.put("empty", new String[] { "fe-lstm", "{\"series\":[],\"horizon\":1}", "series_too_short" });
		cases.put("NaN", new String[] { "fe-lstm", "{\"series\":" + twelve.replace("101]", "NaN]") + "}",
				"invalid_series" });
		cases.put("Infinity", new String[] { "fe-lstm",
				"{\"series\":" + twelve.replace("[100.5", "[-Infinity") + "}", "invalid_series" });
		cases.put("overflow", new String[] { "fe-lstm", "{\"series\":" + twelve.replace("101]", "1e999]") + "}",
				"invalid_series" });
		cases.put("string", new String[] { "fe-lstm", "{\"series\":" + twelve.replace("101]", "\"101\"]") + "}",
				"invalid_series" });
		cases.put("null value", new String[] { "fe-lstm", "{\"series\":" + twelve.replace("101]", "null]") + "}",
				"invalid_series" });
		cases.put("not an array", new String[] { "fe-lstm", "{\"series\":\"1,2,3\"}", "invalid_series" });
		cases.put("missing", new String[] { "fe-lstm", "{\"horizon\":1}", "invalid_series" });
		cases.put("too far", new String[] { "fe-lstm", "{\"series\":" + twelve + ",\"horizon\":4}",
				"invalid_horizon" });
		cases.put("zero", new String[] { "fe-lstm", "{\"series\":" + twelve + ",\"horizon\":0}", "invalid_horizon" });
		cases.put("fraction", new String[] { "fe-lstm", "{\"series\":" + twelve + ",\"horizon\":1.5}",
				"invalid_horizon" });
		cases.put("not json", new String[] { "fe-lstm", "{\"series\":[1,2", "invalid_json" });
		cases.put("classifier", new String[] { "fe-classifier", "{\"series\":" + twelve + "}", "wrong_task" });
		cases.put("unknown", new String[] { "fe-nobody", "{\"series\":" + twelve + "}", "model_not_found" });
		for (Map.Entry<String, String[]> c : cases.entrySet()) {
			ResponseEntity<String> refused = post(c.getValue()[0], c.getValue()[1]);
			String code = c.getValue()[2];
			assertThat(refused.getStatusCode()).as(c.getKey() + ": " + refused.getBody())
				.isEqualTo("model_not_found".equals(code) ? HttpStatus.NOT_FOUND : HttpStatus.BAD_REQUEST);
			assertThat(refused.getHeaders().getContentType().toString()).isEqualTo("application/problem+json");
			assertThat(JSON.readTree(refused.getBody()).get("code").asText()).as(c.getKey()).isEqualTo(code);
		}
	}

	private String sample(String name) throws Exception {
		ResponseEntity<String> created = http.postForEntity("/api/v1/datasets/samples/sine?name=" + name, null,
				String.class);
		assertThat(created.getStatusCode()).as(created.getBody()).isEqualTo(HttpStatus.CREATED);
		return JSON.readTree(created.getBody()).get("id").asText();
	}

	/** The smallest useful forecaster: a window of 12 and 3 steps, trained for two epochs. */
	private JsonNode train(String model, String dataset) throws Exception {
		String body = "{\"model\":\"" + model + "\",\"task\":\"forecasting\",\"architecture\":\"lstm\",\"dataset\":\""
				+ dataset + "\",\"target\":\"value\",\"hyperparameters\":{\"window\":12,\"horizon\":3,"
				+ "\"hiddenSize\":8,\"layers\":1,\"epochs\":2}}";
		ResponseEntity<String> created = http.postForEntity("/api/v1/training-jobs", json(body), String.class);
		assertThat(created.getStatusCode()).as(created.getBody()).isEqualTo(HttpStatus.ACCEPTED);
		String id = JSON.readTree(created.getBody()).get("id").asText();
		long deadline = System.nanoTime() + 120_000_000_000L;
		JsonNode job;
		do {
			Thread.sleep(200);
			job = JSON.readTree(http.getForObject("/api/v1/training-jobs/" + id, String.class));
		}
		while (!job.get("status").asText().matches("SUCCEEDED|FAILED|CANCELLED") && System.nanoTime() < deadline);
		return job;
	}

	private ResponseEntity<String> post(String ref, String body) {
		return http.postForEntity("/api/v1/models/" + ref + "/forecast", json(body), String.class);
	}

	private static HttpEntity<String> json(String body) {
		HttpHeaders headers = new HttpHeaders();
		headers.setContentType(MediaType.APPLICATION_JSON);
		return new HttpEntity<>(body, headers);
	}

}
