package io.deepserve.training.forecast;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

import io.deepserve.ApplicationTestSupport;
import io.deepserve.nn.Architectures;

import static io.deepserve.training.forecast.ForecastHttp.forecast;
import static io.deepserve.training.forecast.ForecastHttp.sine;
import static io.deepserve.training.forecast.ForecastHttp.train;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The attention forecasters go through a real training job, the registry and {@code /forecast} like an LSTM, and
 * are bases like one.
 */
class AttentionForecastJobTests extends ApplicationTestSupport {

	private static final ObjectMapper JSON = new ObjectMapper();

	@Autowired
	Architectures architectures;

	@ParameterizedTest
	@ValueSource(strings = { Architectures.SEQ2SEQ_ATTENTION, Architectures.TRANSFORMER })
	void trainsRegistersAndForecasts(String architecture) throws Exception {
		String model = "attn-" + architecture;
		String dataset = sine(http, "attn-sine-" + architecture);
		JsonNode job = train(http, model, architecture, dataset, "{\"window\":14,\"horizon\":3,\"hiddenSize\":8,"
				+ "\"layers\":1,\"epochs\":1,\"batchSize\":64}");
		assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("SUCCEEDED");
		JsonNode version = JSON.readTree(http.getForObject("/api/v1/models/" + model + "/versions/1", String.class));
		assertThat(version.get("architecture").asText()).isEqualTo(architecture);
		assertThat(version.get("parameters").asLong())
			.isEqualTo(architectures.forecasterParameterCount(architecture, 1, 8, 1, 3));
		assertThat(version.get("metrics").get("backtest").get("model").get("byHorizon")).hasSize(3);

		double[] history = new double[14];
		for (int t = 0; t < history.length; t++) {
			history[t] = 100 + 10 * Math.sin(t / 3.0);
		}
		ResponseEntity<String> answer = forecast(http, model, JSON.writeValueAsString(Map.of("series", history)));
		assertThat(answer.getStatusCode()).as(answer.getBody()).isEqualTo(HttpStatus.OK);
		JsonNode forecast = JSON.readTree(answer.getBody()).get("forecast");
		assertThat(forecast).hasSize(3);
		for (JsonNode value : forecast) {
			assertThat(Double.isFinite(value.asDouble())).isTrue();
		}

		// a base like any forecaster: frozen body, new head for another horizon
		JsonNode transferred = ForecastHttp.run(http, "{\"model\":\"" + model + "-fe\",\"task\":\"forecasting\","
				+ "\"dataset\":\"" + dataset + "\",\"target\":\"value\",\"baseModel\":\"" + model + "\","
				+ "\"transfer\":{\"mode\":\"feature-extraction\"},\"hyperparameters\":{\"horizon\":2,\"epochs\":1}}");
		assertThat(transferred.get("status").asText()).as(transferred.toString()).isEqualTo("SUCCEEDED");
		ResponseEntity<String> again = forecast(http, model + "-fe", JSON.writeValueAsString(Map.of("series", history)));
		assertThat(again.getStatusCode()).as(again.getBody()).isEqualTo(HttpStatus.OK);
		assertThat(JSON.readTree(again.getBody()).get("forecast")).hasSize(2);
	}

}
