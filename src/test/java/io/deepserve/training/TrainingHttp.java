package io.deepserve.training;

import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

import static org.assertj.core.api.Assertions.assertThat;

/** Test helpers: submit training jobs over HTTP and wait for them to end. */
public final class TrainingHttp {

	private static final List<String> FINISHED = List.of("SUCCEEDED", "FAILED", "CANCELLED");

	private TrainingHttp() {
	}

	public static ResponseEntity<String> submit(TestRestTemplate http, String body) {
		HttpHeaders headers = new HttpHeaders();
		headers.setContentType(MediaType.APPLICATION_JSON);
		return http.postForEntity("/api/v1/training-jobs", new HttpEntity<>(body, headers), String.class);
	}

	/** The id of a job the response says was accepted. */
	public static String id(ObjectMapper json, ResponseEntity<String> created) throws Exception {
		assertThat(created.getStatusCode()).as(created.getBody()).isEqualTo(HttpStatus.ACCEPTED);
		return json.readTree(created.getBody()).get("id").asText();
	}

	/** The job once it has finished, or as it stands when {@code timeout} runs out. */
	public static JsonNode awaitFinished(TestRestTemplate http, ObjectMapper json, String id, Duration timeout)
			throws Exception {
		long deadline = System.nanoTime() + timeout.toNanos();
		JsonNode job;
		do {
			job = json.readTree(http.getForObject("/api/v1/training-jobs/" + id, String.class));
			if (FINISHED.contains(job.get("status").asText())) {
				return job;
			}
			Thread.sleep(200);
		}
		while (System.nanoTime() < deadline);
		return job;
	}

}
