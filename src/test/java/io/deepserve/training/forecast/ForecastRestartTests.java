package io.deepserve.training.forecast;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import io.deepserve.DeepserveApplication;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A trained forecaster's version carries everything its network and codec need: after a restart, with nothing in
 * memory, it is rebuilt from the registry alone and answers exactly as before.
 */
class ForecastRestartTests {

	static final ObjectMapper JSON = new ObjectMapper();

	final HttpClient client = HttpClient.newHttpClient();

	@TempDir
	Path dataDir;

	@Test
	void aTrainedForecasterForecastsTheSameAfterARestart() throws Exception {
		String request = "{\"series\":[" + "101.5,99.25,".repeat(10) + "100.75],\"horizon\":3}";
		JsonNode before;
		try (ConfigurableApplicationContext first = start()) {
			String base = base(first);
			String dataset = JSON.readTree(post(base + "/api/v1/datasets/samples/sine?name=restart-sine", "")
				.body()).get("id").asText();
			HttpResponse<String> created = post(base + "/api/v1/training-jobs", "{\"model\":\"restart-gru\","
					+ "\"task\":\"forecasting\",\"architecture\":\"gru\",\"dataset\":\"" + dataset + "\","
					+ "\"target\":\"value\",\"hyperparameters\":{\"window\":20,\"horizon\":3,\"hiddenSize\":8,"
					+ "\"layers\":2,\"dropout\":0.1,\"epochs\":2,\"targetTransform\":\"log-returns\"}}");
			assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
			String id = JSON.readTree(created.body()).get("id").asText();
			JsonNode job;
			long deadline = System.nanoTime() + 120_000_000_000L;
			do {
				Thread.sleep(200);
				job = JSON.readTree(get(base + "/api/v1/training-jobs/" + id));
			}
			while (!job.get("status").asText().matches("SUCCEEDED|FAILED|CANCELLED") && System.nanoTime() < deadline);
			assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("SUCCEEDED");
			HttpResponse<String> answer = post(base + "/api/v1/models/restart-gru/forecast", request);
			assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
			before = JSON.readTree(answer.body());
		}
		try (ConfigurableApplicationContext second = start()) {
			String base = base(second);
			JsonNode spec = JSON.readTree(get(base + "/api/v1/models/restart-gru/versions/1")).get("forecast");
			assertThat(spec.get("hiddenSize").asInt()).isEqualTo(8);
			assertThat(spec.get("layers").asInt()).isEqualTo(2);
			HttpResponse<String> answer = post(base + "/api/v1/models/restart-gru/forecast", request);
			assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
			JsonNode after = JSON.readTree(answer.body());
			assertThat(after.get("model").asText()).isEqualTo("restart-gru:1");
			assertThat(after.get("forecast")).hasSize(3).isEqualTo(before.get("forecast"));
			assertThat(after.get("lower")).isEqualTo(before.get("lower"));
			assertThat(after.get("upper")).isEqualTo(before.get("upper"));
		}
	}

	private ConfigurableApplicationContext start() {
		// command-line arguments, since application.yml outranks the builder's default properties
		return new SpringApplicationBuilder(DeepserveApplication.class)
			.run("--deepserve.data-dir=" + dataDir, "--server.port=0");
	}

	private static String base(ConfigurableApplicationContext context) {
		return "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port");
	}

	private String get(String url) throws Exception {
		return client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
			.body();
	}

	private HttpResponse<String> post(String url, String json) throws Exception {
		return client.send(HttpRequest.newBuilder(URI.create(url))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(json))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

}
