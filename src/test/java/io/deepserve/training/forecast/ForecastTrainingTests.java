package io.deepserve.training.forecast;

import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

import io.deepserve.ApplicationTestSupport;
import io.deepserve.ThreadNames;
import io.deepserve.dataset.DatasetService;

import static io.deepserve.training.forecast.ForecastHttp.forecast;
import static io.deepserve.training.forecast.ForecastHttp.jsonEntity;
import static io.deepserve.training.forecast.ForecastHttp.sine;
import static io.deepserve.training.forecast.ForecastHttp.train;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Each recurrent cell learns the {@code sine} sample (trend, weekly and yearly seasons, noise) through a real
 * training job, and its holdout backtest beats the naive last-value forecast there (by the raw comparison for the
 * tiny recipe, and significantly for the README's).
 */
class ForecastTrainingTests extends ApplicationTestSupport {

	private static final ObjectMapper JSON = new ObjectMapper();

	@Autowired
	DatasetService datasets;

	/** The README's recipe learns the weekly cycle: significantly better than naive, overall and where it matters. */
	@Test
	void aRecipeThatLearnsTheSineBeatsNaiveSignificantly() throws Exception {
		String dataset = sine(http, "sine-significant");
		JsonNode job = train(http, "sine-significant", "lstm", dataset, "{\"window\":28,\"horizon\":7,"
				+ "\"hiddenSize\":32,\"layers\":1,\"epochs\":30,\"batchSize\":32,\"learningRate\":0.01,"
				+ "\"earlyStoppingPatience\":6,\"validationSplit\":0.15,\"holdoutSplit\":0.15}");
		assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("SUCCEEDED");
		JsonNode metrics = JSON.readTree(http.getForObject("/api/v1/models/sine-significant/versions/1",
				String.class)).get("metrics");
		JsonNode vsNaive = metrics.get("significance").get("naive");
		assertThat(metrics.get("beatsNaive").asBoolean()).as("%s", vsNaive).isTrue();
		assertThat(vsNaive.get("pValue").asDouble()).isLessThan(0.05);
		assertThat(metrics.get("relativeMae").asDouble()).isLessThan(0.9);
	}

	/** A forecaster trains on its job's thread alone: that thread never gets an OpenMP team of helpers. */
	@Test
	void aForecastingJobTrainsWithoutAnOpenMpTeam() throws Exception {
		String dataset = sine(http, "sine-one-thread");
		ResponseEntity<String> created = http.postForEntity("/api/v1/training-jobs", jsonEntity("{\"model\":"
				+ "\"sine-one-thread\",\"task\":\"forecasting\",\"architecture\":\"lstm\",\"dataset\":\"" + dataset
				+ "\",\"target\":\"value\",\"hyperparameters\":{\"window\":30,\"hiddenSize\":32,\"epochs\":50,"
				+ "\"earlyStoppingPatience\":50}}"), String.class);
		assertThat(created.getStatusCode()).as(created.getBody()).isEqualTo(HttpStatus.ACCEPTED);
		String id = JSON.readTree(created.getBody()).get("id").asText();
		String comm = ThreadNames.kernelName("training-job-" + id);
		int samples = 0;
		long most = 0;
		long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
		while (samples < 100 && System.nanoTime() < until) {
			long named = ThreadNames.count(comm);
			if (named > 0) {
				samples++;
				most = Math.max(most, named);
			}
			Thread.sleep(20);
		}
		http.postForEntity("/api/v1/training-jobs/" + id + "/cancel", null, String.class);
		assertThat(samples).as("the job's thread seen training").isEqualTo(100);
		assertThat(most).as("threads named after the job's thread").isEqualTo(1);
	}

	@ParameterizedTest
	@ValueSource(strings = { "rnn", "lstm", "gru" })
	void eachCellBeatsTheNaiveForecastOnTheSineHoldout(String cell) throws Exception {
		String dataset = sine(http, "sine-train-" + cell);
		JsonNode job = train(http, "sine-" + cell, cell, dataset, "{\"window\":14,\"horizon\":7,\"hiddenSize\":16,"
				+ "\"layers\":1,\"epochs\":12,\"batchSize\":64,\"learningRate\":0.01,\"earlyStoppingPatience\":4}");
		assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("SUCCEEDED");
		JsonNode epoch = job.get("history").get(0);
		assertThat(epoch.get("valLoss").isNumber()).isTrue();
		assertThat(epoch.hasNonNull("valAccuracy")).as("forecasting has no accuracy").isFalse();

		JsonNode version = JSON.readTree(http.getForObject("/api/v1/models/sine-" + cell + "/versions/1",
				String.class));
		JsonNode metrics = version.get("metrics");
		JsonNode backtest = metrics.get("backtest");
		double model = backtest.get("model").get("mae").asDouble();
		double naive = backtest.get("naive").get("mae").asDouble();
		assertThat(model).as(metrics.toString()).isLessThan(naive);
		// this tiny recipe wins by a few percent only: the raw comparison says so, the test need not
		assertThat(metrics.get("beatsNaiveRaw").asBoolean()).isTrue();
		assertThat(metrics.get("relativeMae").asDouble()).isLessThan(1);
		assertThat(metrics.get("beatsNaive").asBoolean()).isEqualTo(
				metrics.get("significance").get("naive").get("pValue").asDouble() < 0.05);
		assertThat(metrics.get("targetTransform").get("chosen").asText()).as("auto on a series without a strong "
				+ "trend").isEqualTo("none");
		assertThat(backtest.get("model").get("byHorizon")).hasSize(7);
		assertThat(backtest.get("seasonalNaive").get("mase").isNumber()).isTrue();
		assertThat(version.get("format").asText()).isEqualTo("djl");
		assertThat(version.get("inputShape").toString()).isEqualTo("[1,14,1]");

		// the scaler saw the training rows only: on a trending series the mean of all rows is clearly higher
		double[] values = datasets.readSeries(dataset).column("value");
		int trainRows = metrics.get("split").get("trainRows").asInt();
		double trainMean = java.util.Arrays.stream(values, 0, trainRows).average().orElseThrow();
		double allMean = java.util.Arrays.stream(values).average().orElseThrow();
		double stored = version.get("forecast").get("scaler").get("mean").get(0).asDouble();
		assertThat(stored).isCloseTo(trainMean, within(1e-9));
		assertThat(Math.abs(allMean - trainMean)).isGreaterThan(1);

		double[] history = java.util.Arrays.copyOfRange(values, values.length - 14, values.length);
		ResponseEntity<String> answer = forecast(http, "sine-" + cell, JSON.writeValueAsString(
				java.util.Map.of("series", history, "horizon", 5)));
		assertThat(answer.getStatusCode()).as(answer.getBody()).isEqualTo(HttpStatus.OK);
		JsonNode body = JSON.readTree(answer.getBody());
		assertThat(body.get("model").asText()).isEqualTo("sine-" + cell + ":1");
		assertThat(body.get("forecast")).hasSize(5);
		assertThat(body.get("bands").asText()).startsWith("split-conformal");
		if (metrics.get("beatsNaive").asBoolean()) {
			assertThat(body.get("warnings")).isEmpty();
		}
		else {
			assertThat(body.get("warnings").get(0).get("code").asText()).isEqualTo("not_significantly_better_than_naive");
		}
		assertThat(body.get("dates").get(0).asText()).isEqualTo(
				java.time.LocalDate.parse(datasets.readSeries(dataset).time().get(values.length - 1)).plusDays(1)
					.toString());
		for (int k = 0; k < 5; k++) {
			double f = body.get("forecast").get(k).asDouble();
			assertThat(body.get("lower").get(k).asDouble()).isLessThanOrEqualTo(f);
			assertThat(body.get("upper").get(k).asDouble()).isGreaterThanOrEqualTo(f);
			// the sample stays within 100 +- 40 over its 1000 days
			assertThat(f).isBetween(60.0, 160.0);
		}
	}

}
