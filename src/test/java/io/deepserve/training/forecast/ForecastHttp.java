package io.deepserve.training.forecast;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;

import static org.assertj.core.api.Assertions.assertThat;

/** HTTP helpers for forecasting tests: the sine sample, a training job run to its end, a forecast request. */
public final class ForecastHttp {

	private static final ObjectMapper JSON = new ObjectMapper();

	private ForecastHttp() {
	}

	public static String sine(TestRestTemplate http, String name) throws Exception {
		ResponseEntity<String> created = http.postForEntity("/api/v1/datasets/samples/sine?name=" + name, null,
				String.class);
		assertThat(created.getStatusCode()).as(created.getBody()).isEqualTo(HttpStatus.CREATED);
		return JSON.readTree(created.getBody()).get("id").asText();
	}

	/** Submits a forecasting job on the {@code value} column and waits for it to finish. */
	public static JsonNode train(TestRestTemplate http, String model, String cell,
			String dataset, String hyperparameters) throws Exception {
		String body = "{\"model\":\"" + model + "\",\"task\":\"forecasting\",\"architecture\":\"" + cell
				+ "\",\"dataset\":\"" + dataset + "\",\"target\":\"value\",\"hyperparameters\":" + hyperparameters
				+ "}";
		return run(http, body);
	}

	/** Uploads a CSV as a series dataset; returns its id. */
	public static String upload(TestRestTemplate http, String name, String csv) throws Exception {
		MultiValueMap<String, Object> form = new LinkedMultiValueMap<>();
		form.add("name", name);
		form.add("kind", "series");
		form.add("file", new ByteArrayResource(csv.getBytes(StandardCharsets.UTF_8)) {
			@Override
			public String getFilename() {
				return name + ".csv";
			}
		});
		HttpHeaders headers = new HttpHeaders();
		headers.setContentType(MediaType.MULTIPART_FORM_DATA);
		ResponseEntity<String> created = http.postForEntity("/api/v1/datasets", new HttpEntity<>(form, headers),
				String.class);
		assertThat(created.getStatusCode()).as(created.getBody()).isEqualTo(HttpStatus.CREATED);
		return JSON.readTree(created.getBody()).get("id").asText();
	}

	/** Submits a training job and waits for it to finish. */
	public static JsonNode run(TestRestTemplate http, String body) throws Exception {
		ResponseEntity<String> created = http.postForEntity("/api/v1/training-jobs", jsonEntity(body), String.class);
		assertThat(created.getStatusCode()).as(created.getBody()).isEqualTo(HttpStatus.ACCEPTED);
		String id = JSON.readTree(created.getBody()).get("id").asText();
		long deadline = System.nanoTime() + Duration.ofSeconds(300).toNanos();
		JsonNode job;
		do {
			Thread.sleep(200);
			job = JSON.readTree(http.getForObject("/api/v1/training-jobs/" + id, String.class));
		}
		while (!List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(job.get("status").asText())
				&& System.nanoTime() < deadline);
		return job;
	}

	public static ResponseEntity<String> forecast(TestRestTemplate http,
			String ref, String body) {
		return http.postForEntity("/api/v1/models/" + ref + "/forecast", jsonEntity(body), String.class);
	}

	public static HttpEntity<String> jsonEntity(String body) {
		HttpHeaders headers = new HttpHeaders();
		headers.setContentType(MediaType.APPLICATION_JSON);
		return new HttpEntity<>(body, headers);
	}

}
