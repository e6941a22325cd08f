package io.deepserve.inference.forecast;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import io.deepserve.DeepserveApplication;
import io.deepserve.dataset.DatasetService;
import io.deepserve.training.TrainingJob;
import io.deepserve.training.TrainingJobs;
import io.deepserve.training.TrainingRequest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A trained forecaster carries everything it needs: after a restart, with nothing in memory, the same series gets the
 * same forecast and bands.
 */
class ForecastRestartTests {

	private static final ObjectMapper JSON = new ObjectMapper();

	@TempDir
	Path dataDir;

	@Test
	void aVersionForecastsTheSameAfterARestart() throws Exception {
		JsonNode series;
		Forecast before;
		try (ConfigurableApplicationContext first = start()) {
			String dataset = sineOver(first);
			TrainingJobs jobs = first.getBean(TrainingJobs.class);
			TrainingRequest request = JSON.readValue("{\"model\":\"durable-lstm\",\"task\":\"forecasting\","
					+ "\"architecture\":\"lstm\",\"dataset\":\"" + dataset + "\",\"target\":\"value\","
					+ "\"hyperparameters\":{\"window\":12,\"horizon\":4,\"hiddenSize\":8,\"layers\":2,\"dropout\":0.1,"
					+ "\"epochs\":2}}", TrainingRequest.class);
			TrainingJob job = jobs.submit(request);
			long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
			while (jobs.get(job.id()).status() != TrainingJob.Status.SUCCEEDED && System.nanoTime() < deadline) {
				assertThat(jobs.get(job.id()).status()).isIn(TrainingJob.Status.QUEUED, TrainingJob.Status.RUNNING);
				Thread.sleep(200);
			}
			double[] values = first.getBean(DatasetService.class).readSeries(dataset).column("value");
			series = JSON.valueToTree(java.util.Arrays.copyOfRange(values, values.length - 12, values.length));
			before = first.getBean(Forecaster.class).forecast("durable-lstm", series, null);
		}
		try (ConfigurableApplicationContext second = start()) {
			Forecast after = second.getBean(Forecaster.class).forecast("durable-lstm", series, null);
			assertThat(after.model()).isEqualTo("durable-lstm:1");
			assertThat(after.forecast()).hasSize(4).isEqualTo(before.forecast());
			assertThat(after.lower()).isEqualTo(before.lower());
			assertThat(after.upper()).isEqualTo(before.upper());
			assertThat(after.bands()).isEqualTo(before.bands());
		}
	}

	private static String sineOver(ConfigurableApplicationContext app) throws Exception {
		String port = app.getEnvironment().getProperty("local.server.port");
		HttpResponse<String> created = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/datasets/samples/sine"))
				.POST(HttpRequest.BodyPublishers.noBody())
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		return JSON.readTree(created.body()).get("id").asText();
	}

	private ConfigurableApplicationContext start() {
		// command-line arguments, since application.yml outranks the builder's default properties
		return new SpringApplicationBuilder(DeepserveApplication.class)
			.run("--deepserve.data-dir=" + dataDir, "--server.port=0");
	}

}
