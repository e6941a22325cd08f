package io.deepserve.inference;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

import io.deepserve.ApplicationTestSupport;
import io.deepserve.nn.Architectures;
import io.deepserve.registry.RegistryHttp;

import static org.assertj.core.api.Assertions.assertThat;

/** The workload manager under concurrent load: batches form, a full queue says 503, a late request is not run. */
class WorkloadTests extends ApplicationTestSupport {

	@Autowired
	ObjectMapper json;

	@Autowired
	Architectures architectures;

	@Test
	void concurrentRequestsAreRunInBatches() throws Exception {
		importVersion("batch-tiny", Images.tinyTorchScript(),
				Images.tinyMetadata("{\"workers\": 1, \"maxBatchSize\": 8, \"maxBatchDelayMs\": 300}"));

		ResponseEntity<String> alone = Images.classify(http, "batch-tiny", png(99, 32), MediaType.IMAGE_PNG);
		assertThat(json.readTree(alone.getBody()).at("/timings/queueMs").asDouble())
			.as("a lone request does not wait for a batch that cannot fill")
			.isLessThan(150);
		JsonNode before = batchSizes("batch-tiny");

		List<ResponseEntity<String>> responses = concurrently(16, "batch-tiny", 32);

		assertThat(responses).allSatisfy(r -> assertThat(r.getStatusCode()).as(r.getBody()).isEqualTo(HttpStatus.OK));
		JsonNode batches = batchSizes("batch-tiny");
		double count = measurement(batches, "COUNT") - measurement(before, "COUNT");
		double total = measurement(batches, "TOTAL") - measurement(before, "TOTAL");
		assertThat(total).as("every request ran in exactly one batch").isEqualTo(16);
		assertThat(count).as("16 requests ran in fewer than 16 batches").isLessThan(16);
		assertThat(count).as("batches hold at most 8").isGreaterThanOrEqualTo(2);
	}

	@Test
	void aFullQueueIs503WithRetryAfter() throws Exception {
		importVersion("busy-resnet", Images.savedDjlClassifier(architectures, "resnet18", 2, 96), """
				{"task": "image-classification", "architecture": "resnet18", "labels": ["x", "o"],
				 "preprocessing": {"imageSize": 96},
				 "serving": {"workers": 1, "queueSize": 1, "maxBatchSize": 1}}""");

		List<ResponseEntity<String>> responses = concurrently(32, "busy-resnet", 128);

		List<ResponseEntity<String>> refused = responses.stream()
			.filter(r -> r.getStatusCode() == HttpStatus.SERVICE_UNAVAILABLE)
			.toList();
		assertThat(refused).as("one running and one queued; the rest cannot wait").isNotEmpty();
		assertThat(refused).allSatisfy(r -> {
			assertThat(json.readTree(r.getBody()).get("code").asText()).isEqualTo("queue_full");
			assertThat(r.getHeaders().getFirst("Retry-After")).isEqualTo("1");
		});
		assertThat(responses).filteredOn(r -> r.getStatusCode() != HttpStatus.SERVICE_UNAVAILABLE)
			.isNotEmpty()
			.allSatisfy(r -> assertThat(r.getStatusCode()).as(r.getBody()).isEqualTo(HttpStatus.OK));
		JsonNode outcomes = json.readTree(http.getForObject(
				"/actuator/metrics/deepserve.inference.requests?tag=model:busy-resnet&tag=outcome:queue_full",
				String.class));
		assertThat(measurement(outcomes, "COUNT")).isEqualTo(refused.size());
	}

	@Test
	void aRequestPastItsDeadlineIsAnswered503AndNotRun() throws Exception {
		importVersion("late-resnet", Images.savedDjlClassifier(architectures, "resnet18", 2, 64), """
				{"task": "image-classification", "architecture": "resnet18", "labels": ["x", "o"],
				 "preprocessing": {"imageSize": 64},
				 "serving": {"workers": 1, "queueSize": 64, "maxBatchSize": 1, "timeoutMs": 1}}""");

		JsonNode before = batchSizes("late-resnet");

		List<ResponseEntity<String>> responses = concurrently(16, "late-resnet", 64);

		List<ResponseEntity<String>> late = responses.stream()
			.filter(r -> r.getStatusCode() == HttpStatus.SERVICE_UNAVAILABLE)
			.toList();
		assertThat(late).isNotEmpty().allSatisfy(r -> {
			assertThat(json.readTree(r.getBody()).get("code").asText()).isEqualTo("deadline_exceeded");
			assertThat(r.getHeaders().getFirst("Retry-After")).isNotNull();
		});
		assertThat(responses).filteredOn(r -> r.getStatusCode() != HttpStatus.SERVICE_UNAVAILABLE)
			.allSatisfy(r -> assertThat(r.getStatusCode()).as(r.getBody()).isEqualTo(HttpStatus.OK));
		assertThat(measurement(batchSizes("late-resnet"), "TOTAL") - measurement(before, "TOTAL"))
			.as("only the requests in time were run")
			.isEqualTo(responses.size() - late.size());
	}

	private void importVersion(String name, byte[] artifact, String metadata) {
		ResponseEntity<String> created = RegistryHttp.importVersion(http, name, artifact, metadata);
		assertThat(created.getStatusCode()).as(created.getBody()).isEqualTo(HttpStatus.CREATED);
		// load and warm it first, so the burst meets a running pool; on a busy machine a warm-up request can miss a
		// 1 ms deadline itself, so it is retried a few times
		ResponseEntity<String> first = null;
		for (int attempt = 0; attempt < 10 && (first == null || first.getStatusCode() != HttpStatus.OK); attempt++) {
			first = Images.classify(http, name, png(0, 32), MediaType.IMAGE_PNG);
		}
		assertThat(first.getStatusCode()).as(first.getBody()).isEqualTo(HttpStatus.OK);
	}

	/** Fires {@code n} requests at once and returns every answer. */
	private List<ResponseEntity<String>> concurrently(int n, String ref, int imageSide) throws Exception {
		List<byte[]> bodies = new ArrayList<>();
		for (int i = 0; i < n; i++) {
			bodies.add(png(i + 1, imageSide));
		}
		ExecutorService clients = Executors.newFixedThreadPool(n);
		try {
			CountDownLatch start = new CountDownLatch(1);
			List<Future<ResponseEntity<String>>> futures = new ArrayList<>();
			for (byte[] body : bodies) {
				Callable<ResponseEntity<String>> call = () -> {
					start.await();
					return Images.classify(http, ref, body, MediaType.IMAGE_PNG);
				};
				futures.add(clients.submit(call));
			}
			start.countDown();
			List<ResponseEntity<String>> responses = new ArrayList<>();
			for (Future<ResponseEntity<String>> f : futures) {
				responses.add(f.get());
			}
			return responses;
		}
		finally {
			clients.shutdownNow();
		}
	}

	private static byte[] png(long seed, int side) {
		BufferedImage image = Images.pattern(side, side, seed);
		return Images.encode(image, "png");
	}

	private JsonNode batchSizes(String model) throws Exception {
		return json.readTree(http.getForObject("/actuator/metrics/deepserve.inference.batch.size?tag=model:" + model,
				String.class));
	}

	private static double measurement(JsonNode metric, String statistic) {
		for (JsonNode m : metric.get("measurements")) {
			if (m.get("statistic").asText().equals(statistic)) {
				return m.get("value").asDouble();
			}
		}
		throw new AssertionError("no " + statistic + " in " + metric);
	}

}
