package io.deepserve.container;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

import static org.assertj.core.api.Assertions.assertThat;

/** Training jobs over HTTP: queue one, wait for it to finish. */
final class Jobs {

	private static final ObjectMapper JSON = new ObjectMapper();

	private static final Set<String> FINISHED = Set.of("SUCCEEDED", "FAILED", "CANCELLED");

	private Jobs() {
	}

	/** Posts the job and returns it as queued (202). */
	static JsonNode submit(TestRestTemplate http, JsonNode request) throws Exception {
		HttpHeaders headers = new HttpHeaders();
		headers.setContentType(MediaType.APPLICATION_JSON);
		ResponseEntity<String> queued = http.postForEntity("/api/v1/training-jobs",
				new HttpEntity<>(JSON.writeValueAsString(request), headers), String.class);
		assertThat(queued.getStatusCode()).as(queued.getBody()).isEqualTo(HttpStatus.ACCEPTED);
		return JSON.readTree(queued.getBody());
	}

	static JsonNode get(TestRestTemplate http, String id) throws Exception {
		ResponseEntity<String> job = http.getForEntity("/api/v1/training-jobs/" + id, String.class);
		assertThat(job.getStatusCode()).as(job.getBody()).isEqualTo(HttpStatus.OK);
		return JSON.readTree(job.getBody());
	}

	/** Polls until the job has finished, whatever the outcome; fails after {@code timeout}. */
	static JsonNode await(TestRestTemplate http, String id, Duration timeout) throws Exception {
		return awaitStatus(http, id, FINISHED, timeout);
	}

	static JsonNode awaitStatus(TestRestTemplate http, String id, Set<String> statuses, Duration timeout)
			throws Exception {
		long deadline = System.nanoTime() + timeout.toNanos();
		JsonNode job = get(http, id);
		while (!statuses.contains(job.path("status").asText())) {
			assertThat(System.nanoTime()).as("job %s still %s after %s: %s", id, job.path("status").asText(),
					timeout, job).isLessThan(deadline);
			TimeUnit.MILLISECONDS.sleep(500);
			job = get(http, id);
		}
		return job;
	}

}
