package io.deepserve.container;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.testcontainers.containers.GenericContainer;

import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

import io.deepserve.inference.Images;
import io.deepserve.registry.RegistryHttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The image in its embedded mode (H2 and artifacts on the data volume, both roles), as a user runs it: refuses to
 * start on 0.0.0.0 without keys, serves with one, imports and serves a classifier, trains the shapes recipe, and
 * comes back with all of it from the same volume in a new container.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EmbeddedImageIT {

	private static final ObjectMapper JSON = new ObjectMapper();

	private static final String KEY = DeepserveImage.newKey();

	private static final String VOLUME = "deepserve-it-embedded-" + System.nanoTime();

	private static final List<GenericContainer<?>> STARTED = new ArrayList<>();

	private static int port;

	private static TestRestTemplate http;

	/** The trained version as the first container registered it, to compare after the restart. */
	private static JsonNode trained;

	@BeforeEach
	void imageAvailable() {
		DeepserveImage.assumeAvailable();
	}

	@AfterAll
	static void removeContainersAndVolume() {
		STARTED.forEach(GenericContainer::stop);
		DeepserveImage.removeVolume(VOLUME);
	}

	@Test
	@Order(1)
	void refusesToStartExposedWithoutKeys() {
		GenericContainer<?> open = DeepserveImage.container("embedded-open", DeepserveImage.freePort())
			.withStartupCheckStrategy(DeepserveImage.untilExited())
			.waitingFor(DeepserveImage.exitedIsEnough());
		STARTED.add(open);
		open.start();
		assertThat(DeepserveImage.exitCode(open)).as("exit code").isNotZero();
		// the reason the guard gives, so that a crash for any other cause does not pass for the refusal
		assertThat(open.getLogs()).contains(DeepserveImage.REFUSAL);
	}

	@Test
	@Order(2)
	void servesWithAKeyAndRefusesWritesWithoutIt() {
		port = DeepserveImage.freePort();
		http = DeepserveImage.http(port, KEY);
		start("embedded-1");

		TestRestTemplate anonymous = DeepserveImage.http(port, null);
		assertThat(anonymous.postForEntity("/api/v1/datasets/samples/shapes", null, String.class).getStatusCode())
			.isEqualTo(HttpStatus.UNAUTHORIZED);
		assertThat(anonymous.getForEntity("/api/v1/models", String.class).getStatusCode())
			.isEqualTo(HttpStatus.UNAUTHORIZED);
		ResponseEntity<String> models = http.getForEntity("/api/v1/models", String.class);
		assertThat(models.getStatusCode()).isEqualTo(HttpStatus.OK);
		assertThat(models.getBody()).isEqualTo("[]");
	}

	@Test
	@Order(3)
	void importsTheTinyClassifierAndClassifies() throws Exception {
		ResponseEntity<String> imported = RegistryHttp.importVersion(http, "tiny", Images.tinyTorchScript(),
				Images.tinyMetadata(null));
		assertThat(imported.getStatusCode()).as(imported.getBody()).isEqualTo(HttpStatus.CREATED);

		JsonNode answer = classify("tiny:1");
		assertThat(answer.path("model").asText()).isEqualTo("tiny:1");
		assertThat(labels(answer)).hasSize(3).containsExactlyInAnyOrder("cat", "dog", "fish");
		double sum = 0;
		for (JsonNode prediction : answer.path("predictions")) {
			sum += prediction.path("probability").asDouble();
		}
		assertThat(sum).isCloseTo(1.0, within(1e-3));
	}

	@Test
	@Order(4)
	void trainsTheShapesRecipeEndToEnd() throws Exception {
		ResponseEntity<String> dataset = http.postForEntity(
				"/api/v1/datasets/samples/shapes?countPerClass=12&imageSize=32", null, String.class);
		assertThat(dataset.getStatusCode()).as(dataset.getBody()).isEqualTo(HttpStatus.CREATED);

		// the recipe users post, cut to one epoch: what is under test is the image, not the accuracy
		ObjectNode recipe = (ObjectNode) JSON.readTree(Files.readString(Path.of("models", "shapes-resnet18.json")));
		((ObjectNode) recipe.path("hyperparameters")).put("epochs", 1);
		JsonNode job = Jobs.submit(http, recipe);
		JsonNode done = Jobs.await(http, job.path("id").asText(), Duration.ofMinutes(5));
		assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
		assertThat(done.path("resultModel").asText()).isEqualTo("shapes:1");

		trained = JSON.readTree(http.getForObject("/api/v1/models/shapes/versions/1", String.class));
		assertThat(trained.path("status").asText()).isEqualTo("READY");
		List<String> classes = new ArrayList<>();
		trained.path("labels").forEach(label -> classes.add(label.asText()));
		assertThat(classes).hasSizeGreaterThan(1);
		assertThat(labels(classify("shapes:1"))).isSubsetOf(classes);
	}

	@Test
	@Order(5)
	void keepsItsDataAcrossARestartOnTheVolume() throws Exception {
		GenericContainer<?> first = STARTED.get(STARTED.size() - 1);
		first.stop();
		assertThat(DeepserveImage.status(DeepserveImage.url(port) + "/actuator/health/liveness")).isEqualTo(-1);

		start("embedded-2");
		JsonNode models = JSON.readTree(http.getForObject("/api/v1/models", String.class));
		List<String> names = new ArrayList<>();
		models.forEach(model -> names.add(model.path("name").asText()));
		assertThat(names).containsExactlyInAnyOrder("tiny", "shapes");
		JsonNode again = JSON.readTree(http.getForObject("/api/v1/models/shapes/versions/1", String.class));
		assertThat(again.path("sha256").asText()).isEqualTo(trained.path("sha256").asText());
		assertThat(classify("shapes:1").path("model").asText()).isEqualTo("shapes:1");
		assertThat(classify("tiny:1").path("model").asText()).isEqualTo("tiny:1");
	}

	private static void start(String name) {
		GenericContainer<?> container = DeepserveImage.withDataVolume(
				DeepserveImage.withAdminKey(DeepserveImage.container(name, port), KEY), VOLUME);
		STARTED.add(container);
		long started = System.nanoTime();
		container.start();
		System.out.printf("container %s: start to ready %.1f s%n", name, (System.nanoTime() - started) / 1e9);
	}

	private static JsonNode classify(String ref) throws Exception {
		byte[] png = Images.encode(Images.pattern(32, 32, 7), "png");
		HttpHeaders headers = new HttpHeaders();
		headers.setContentType(MediaType.IMAGE_PNG);
		ResponseEntity<String> answer = http.postForEntity("/api/v1/models/" + ref + "/classify?topK=3",
				new HttpEntity<>(png, headers), String.class);
		assertThat(answer.getStatusCode()).as(answer.getBody()).isEqualTo(HttpStatus.OK);
		return JSON.readTree(answer.getBody());
	}

	private static List<String> labels(JsonNode answer) {
		List<String> labels = new ArrayList<>();
		answer.path("predictions").forEach(prediction -> labels.add(prediction.path("label").asText()));
		return labels;
	}

}
