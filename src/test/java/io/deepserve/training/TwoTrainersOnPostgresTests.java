package io.deepserve.training;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.deepserve.DeepserveApplication;
import io.deepserve.EmbeddedPostgresSupport;
import io.deepserve.inference.WorkloadManager;
import io.deepserve.registry.ModelRegistry;
import io.deepserve.registry.ModelVersion;

import static io.deepserve.registry.Task.IMAGE_CLASSIFICATION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two instances on one PostgreSQL database and one shared artifact directory (as a shared volume would be): every
 * job submitted runs exactly once, on one of them, and each registers exactly one version; an alias moved on one
 * is served by the other.
 */
class TwoTrainersOnPostgresTests {

	private static final int JOBS = 4;

	private final HttpClient http = HttpClient.newHttpClient();

	private final ObjectMapper json = new ObjectMapper();

	@Test
	void everyJobRunsExactlyOnceAcrossTwoInstances() throws Exception {
		Path dataDir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "test-data")), "two-");
		List<String> database = EmbeddedPostgresSupport.newDatabaseArgs();
		try (ConfigurableApplicationContext a = start(dataDir, database, "trainer-a");
				ConfigurableApplicationContext b = start(dataDir, database, "trainer-b")) {
			String base = "http://127.0.0.1:" + a.getBean(Environment.class).getProperty("local.server.port");
			String dataset = json.readTree(post(base + "/api/v1/datasets/samples/shapes?classes=x,o&countPerClass=8"
					+ "&imageSize=32&seed=1", null)).get("id").asText();
			List<String> ids = new ArrayList<>();
			for (int i = 0; i < JOBS; i++) {
				ids.add(json.readTree(post(base + "/api/v1/training-jobs", """
						{"model": "two-trainers", "architecture": "resnet18", "dataset": "%s",
						 "hyperparameters": {"epochs": 1, "batchSize": 4, "imageSize": 32, "seed": %d},
						 "device": "cpu"}""".formatted(dataset, i))).get("id").asText());
			}

			TrainingJobs jobs = b.getBean(TrainingJobs.class);
			await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500))
				.until(() -> ids.stream().allMatch(id -> jobs.get(id).status().finished()));
			for (String id : ids) {
				assertThat(jobs.get(id).status()).as(jobs.get(id).error() + "").isEqualTo(TrainingJob.Status.SUCCEEDED);
			}
			Map<String, Long> byOwner = b.getBean(JdbcClient.class)
				.sql("SELECT owner FROM training_jobs WHERE model = 'two-trainers'")
				.query(String.class)
				.list()
				.stream()
				.collect(Collectors.groupingBy(o -> o, Collectors.counting()));
			assertThat(byOwner.keySet()).as("both instances took jobs").containsExactlyInAnyOrder("trainer-a",
					"trainer-b");
			List<ModelVersion> versions = a.getBean(ModelRegistry.class).get("two-trainers").versions();
			assertThat(versions).extracting(ModelVersion::version).containsExactly(1, 2, 3, 4);
			assertThat(versions).extracting(v -> v.lineage().trainingJobId()).containsExactlyInAnyOrderElementsOf(ids);

			// an alias moved through one instance is followed by the other, which only learns of it from the database
			ModelRegistry registryA = a.getBean(ModelRegistry.class);
			WorkloadManager servingB = b.getBean(WorkloadManager.class);
			registryA.setAlias("two-trainers", "production", 1, "test");
			assertThat(servingB.resolve("two-trainers@production", IMAGE_CLASSIFICATION).version()).isEqualTo(1);
			registryA.setAlias("two-trainers", "production", 2, "test");
			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(servingB.resolve("two-trainers@production", IMAGE_CLASSIFICATION)
					.version()).isEqualTo(2));
		}
	}

	private static ConfigurableApplicationContext start(Path dataDir, List<String> database, String instance) {
		List<String> args = new ArrayList<>(List.of("--deepserve.data-dir=" + dataDir.toAbsolutePath(),
				"--server.port=0", "--deepserve.engine.load-at-startup=false",
				"--deepserve.training.instance-id=" + instance, "--deepserve.training.poll-interval=200ms",
				"--deepserve.inference.alias-sync-interval=500ms"));
		args.addAll(database);
		return new SpringApplicationBuilder(DeepserveApplication.class).run(args.toArray(String[]::new));
	}

	private String post(String url, String body) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
		if (body == null) {
			request.POST(HttpRequest.BodyPublishers.noBody());
		}
		else {
			request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
		}
		HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(response.body()).isBetween(200, 202);
		return response.body();
	}

}
