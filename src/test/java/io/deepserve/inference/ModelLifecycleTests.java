package io.deepserve.inference;

import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

import io.deepserve.ApplicationTestSupport;
import io.deepserve.config.DeepserveProperties;
import io.deepserve.registry.RegistryHttp;

import static org.assertj.core.api.Assertions.assertThat;

/** Versions load on first use, are evicted least recently used first, and alias switches lose no request. */
class ModelLifecycleTests extends ApplicationTestSupport {

	@Autowired
	ObjectMapper json;

	@Autowired
	WorkloadManager manager;

	@Autowired
	DeepserveProperties properties;

	private record Answer(long startedNanos, HttpStatus status, String model, String body) {
	}

	@Test
	void anAliasSwitchUnderSteadyTrafficLosesNoRequest() throws Exception {
		for (int i = 0; i < 2; i++) {
			ResponseEntity<String> created = RegistryHttp.importVersion(http, "switch-tiny", Images.tinyTorchScript(),
					Images.tinyMetadata(null));
			assertThat(created.getStatusCode()).as(created.getBody()).isEqualTo(HttpStatus.CREATED);
		}
		moveAlias("switch-tiny", 1);
		assertThat(manager.isLoaded("switch-tiny", 1)).as("warmed when the alias moved to it").isTrue();

		byte[] png = Images.encode(Images.pattern(48, 48, 11), "png");
		ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
		AtomicBoolean running = new AtomicBoolean(true);
		ExecutorService clients = Executors.newFixedThreadPool(4);
		for (int c = 0; c < 4; c++) {
			clients.execute(() -> {
				while (running.get()) {
					long started = System.nanoTime();
					ResponseEntity<String> r = Images.classify(http, "switch-tiny", png, MediaType.IMAGE_PNG);
					answers.add(new Answer(started, (HttpStatus) r.getStatusCode(), model(r), r.getBody()));
				}
			});
		}
		Thread.sleep(400);
		moveAlias("switch-tiny", 2);
		long switched = System.nanoTime();
		Thread.sleep(600);
		running.set(false);
		clients.shutdown();
		assertThat(clients.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

		assertThat(answers).hasSizeGreaterThan(10)
			.allSatisfy(a -> assertThat(a.status()).as(a.body()).isEqualTo(HttpStatus.OK));
		assertThat(answers).extracting(Answer::model).contains("switch-tiny:1", "switch-tiny:2");
		assertThat(answers).filteredOn(a -> a.startedNanos() > switched)
			.isNotEmpty()
			.allSatisfy(a -> assertThat(a.model()).isEqualTo("switch-tiny:2"));
		awaitUnloaded("switch-tiny", 1);
		assertThat(manager.isLoaded("switch-tiny", 2)).isTrue();
	}

	@Test
	void beyondTheBudgetTheLeastRecentlyUsedVersionIsUnloaded() throws Exception {
		int budget = properties.inference().maxLoadedModels();
		byte[] png = Images.encode(Images.pattern(32, 32, 12), "png");
		for (int v = 1; v <= budget + 1; v++) {
			ResponseEntity<String> created = RegistryHttp.importVersion(http, "lru-tiny", Images.tinyTorchScript(),
					Images.tinyMetadata(null));
			assertThat(created.getStatusCode()).as(created.getBody()).isEqualTo(HttpStatus.CREATED);
			ResponseEntity<String> r = Images.classify(http, "lru-tiny:" + v, png, MediaType.IMAGE_PNG);
			assertThat(r.getStatusCode()).as(r.getBody()).isEqualTo(HttpStatus.OK);
			assertThat(manager.isLoaded("lru-tiny", v)).as("loaded on first use").isTrue();
		}
		awaitUnloaded("lru-tiny", 1);
		assertThat(manager.isLoaded("lru-tiny", budget + 1)).isTrue();
		JsonNode loaded = json.readTree(http.getForObject("/actuator/metrics/deepserve.inference.models.loaded",
				String.class));
		assertThat(loaded.at("/measurements/0/value").asDouble()).isLessThanOrEqualTo(budget);

		ResponseEntity<String> again = Images.classify(http, "lru-tiny:1", png, MediaType.IMAGE_PNG);
		assertThat(again.getStatusCode()).as("an unloaded version loads again on use").isEqualTo(HttpStatus.OK);
	}

	private void moveAlias(String name, int version) {
		HttpHeaders headers = new HttpHeaders();
		headers.setContentType(MediaType.APPLICATION_JSON);
		ResponseEntity<String> moved = http.exchange("/api/v1/models/" + name + "/aliases/production", HttpMethod.PUT,
				new HttpEntity<>("{\"version\": " + version + "}", headers), String.class);
		assertThat(moved.getStatusCode()).as(moved.getBody()).isEqualTo(HttpStatus.OK);
	}

	private void awaitUnloaded(String name, int version) throws InterruptedException {
		long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
		while (manager.isLoaded(name, version) && System.nanoTime() < until) {
			Thread.sleep(20);
		}
		assertThat(manager.isLoaded(name, version)).as(name + ":" + version + " unloaded").isFalse();
	}

	private String model(ResponseEntity<String> response) {
		try {
			return response.getStatusCode() == HttpStatus.OK ? json.readTree(response.getBody()).get("model").asText()
					: null;
		}
		catch (Exception ex) {
			return null;
		}
	}

}
