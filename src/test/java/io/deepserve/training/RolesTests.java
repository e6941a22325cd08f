package io.deepserve.training;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;

import io.deepserve.DeepserveApplication;
import io.deepserve.registry.Task;
import io.deepserve.training.TrainingJob.Status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A serving-only replica takes no training job; a training-only one does, answers no inference request, and
 * still reports health and metrics.
 */
class RolesTests {

	@TempDir
	Path dataDir;

	private final HttpClient http = HttpClient.newHttpClient();

	@Test
	void onlyATrainingReplicaTakesJobsAndOnlyAServingOneServes() throws Exception {
		String id = UUID.randomUUID().toString();
		try (ConfigurableApplicationContext serving = start("serving")) {
			TrainingRequest request = new TrainingRequest("roles", null, "resnet18", "missing", null, null, null, null, null);
			serving.getBean(TrainingJobRepository.class).insert(new TrainingJob(id, "roles",
					Task.IMAGE_CLASSIFICATION, "resnet18", "missing", request, Status.QUEUED, null, List.of(),
					null, null, null, Instant.now(), null, null));
			// ten poll intervals: a worker would long since have claimed it
			Thread.sleep(1000);
			assertThat(serving.getBean(TrainingJobs.class).get(id).status()).isEqualTo(Status.QUEUED);
		}
		try (ConfigurableApplicationContext training = start("training")) {
			TrainingJobs jobs = training.getBean(TrainingJobs.class);
			// the dataset does not exist, so the job fails as soon as a worker runs it
			await().atMost(Duration.ofSeconds(20)).until(() -> jobs.get(id).status() == Status.FAILED);
			assertThat(jobs.get(id).error()).contains("missing");

			String base = "http://127.0.0.1:" + training.getBean(Environment.class).getProperty("local.server.port");
			HttpResponse<String> classify = http.send(HttpRequest.newBuilder(URI.create(base
					+ "/api/v1/models/any/classify")).header("Content-Type", "image/png")
				.POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] { 1 })).build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(classify.statusCode()).isEqualTo(503);
			assertThat(classify.body()).contains("\"code\":\"not_serving\"");
			HttpResponse<String> infer = http.send(HttpRequest.newBuilder(URI.create(base + "/v2/models/any/infer"))
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString("{\"inputs\": []}")).build(), HttpResponse.BodyHandlers.ofString());
			assertThat(infer.statusCode()).as(infer.body()).isEqualTo(503);
			assertThat(infer.body()).contains("\"code\":\"not_serving\"");
			assertThat(get(base + "/actuator/health/liveness").statusCode()).isEqualTo(200);
			assertThat(get(base + "/actuator/prometheus").body()).contains("deepserve_training_jobs");
		}
	}

	private HttpResponse<String> get(String url) throws Exception {
		return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
	}

	private ConfigurableApplicationContext start(String role) {
		return new SpringApplicationBuilder(DeepserveApplication.class).run("--deepserve.data-dir=" + dataDir,
				"--server.port=0", "--deepserve.engine.load-at-startup=false", "--deepserve.roles=" + role,
				"--deepserve.training.poll-interval=100ms");
	}

}
