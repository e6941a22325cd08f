package io.deepserve.training;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.deepserve.DeepserveApplication;
import io.deepserve.registry.ModelRegistry;
import io.deepserve.training.TrainingJob.Status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A trainer shutting down stops its running job at the next batch: FAILED, saying why, and nothing registered. */
class ShutdownTests {

	@TempDir
	Path dataDir;

	@Test
	void aRunningJobEndsFailedInterruptedByShutdown() throws Exception {
		String id;
		try (ConfigurableApplicationContext app = start("serving,training")) {
			HttpClient http = HttpClient.newHttpClient();
			ObjectMapper json = new ObjectMapper();
			String base = "http://127.0.0.1:" + app.getBean(Environment.class).getProperty("local.server.port");
			String dataset = json.readTree(http.send(HttpRequest.newBuilder(URI.create(base
					+ "/api/v1/datasets/samples/shapes?classes=x,o&countPerClass=8&imageSize=32&seed=1"))
				.POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).body())
				.get("id").asText();
			id = json.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/training-jobs"))
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString("""
						{"model": "shutdown", "architecture": "resnet18", "dataset": "%s",
						 "hyperparameters": {"epochs": 500, "batchSize": 4, "imageSize": 32, "earlyStoppingPatience": 0},
						 "device": "cpu"}""".formatted(dataset)))
				.build(), HttpResponse.BodyHandlers.ofString()).body()).get("id").asText();
			TrainingJobs jobs = app.getBean(TrainingJobs.class);
			await().atMost(Duration.ofSeconds(60))
				.until(() -> jobs.get(id).status() == Status.RUNNING && jobs.get(id).progress() != null);
		}
		// a serving-only instance only reads what the trainer left behind
		try (ConfigurableApplicationContext after = start("serving")) {
			TrainingJob job = after.getBean(TrainingJobs.class).get(id);
			assertThat(job.status()).isEqualTo(Status.FAILED);
			assertThat(job.error()).isEqualTo("interrupted by shutdown");
			assertThat(job.finishedAt()).isNotNull();
			assertThat(after.getBean(JdbcClient.class).sql("SELECT owner FROM training_jobs WHERE id = ?").param(id)
				.query(String.class).single()).isEqualTo(after.getBean(TrainingWorkers.class).owner());
			assertThat(after.getBean(ModelRegistry.class).list()).noneMatch(m -> m.name().equals("shutdown"));
		}
	}

	private ConfigurableApplicationContext start(String roles) {
		return new SpringApplicationBuilder(DeepserveApplication.class).run("--deepserve.data-dir=" + dataDir,
				"--server.port=0", "--deepserve.engine.load-at-startup=false", "--deepserve.roles=" + roles);
	}

}
