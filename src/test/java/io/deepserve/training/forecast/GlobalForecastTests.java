package io.deepserve.training.forecast;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

import io.deepserve.ApplicationTestSupport;

import static io.deepserve.training.forecast.ForecastHttp.forecast;
import static io.deepserve.training.forecast.ForecastHttp.jsonEntity;
import static io.deepserve.training.forecast.ForecastHttp.run;
import static io.deepserve.training.forecast.ForecastHttp.upload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * A global model: one forecaster over several columns of a series dataset, each scaled on its own, served by name
 * or for a new series scaled on its own window.
 */
class GlobalForecastTests extends ApplicationTestSupport {

	private static final ObjectMapper JSON = new ObjectMapper();

	private static final int ROWS = 300;

	private static final int WINDOW = 10;

	@Test
	void oneForecasterLearnsEverySeriesEachOnItsOwnScaleAndServesThemByName() throws Exception {
		String dataset = upload(http, "global-three", threeSeries());
		JsonNode job = run(http, "{\"model\":\"global-lstm\",\"task\":\"forecasting\",\"architecture\":\"lstm\","
				+ "\"dataset\":\"" + dataset + "\",\"targets\":\"*\",\"hyperparameters\":{\"window\":" + WINDOW
				+ ",\"horizon\":2,\"hiddenSize\":8,\"layers\":1,\"epochs\":2,\"batchSize\":32}}");
		assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("SUCCEEDED");
		JsonNode version = JSON.readTree(http.getForObject("/api/v1/models/global-lstm/versions/1", String.class));
		JsonNode spec = version.get("forecast");
		assertThat(spec.get("series").properties().stream().map(Map.Entry::getKey).toList())
			.containsExactly("a", "b", "c", "d");
		assertThat(spec.path("scaler").isNull() || spec.path("scaler").isMissingNode()).isTrue();

		// each series' scaler saw that series' training rows only
		JsonNode metrics = version.get("metrics");
		int trainRows = metrics.get("split").get("trainRows").asInt();
		Map<String, double[]> columns = columns();
		for (String name : List.of("a", "b", "c", "d")) {
			double trainMean = Arrays.stream(columns.get(name), 0, trainRows).average().orElseThrow();
			assertThat(spec.get("series").get(name).get("scaler").get("mean").get(0).asDouble()).as(name)
				.isCloseTo(trainMean, within(1e-9));
		}

		// each series is backtested on its own holdout, and the pooled figure is their mean
		double sum = 0;
		for (String name : List.of("a", "b", "c", "d")) {
			JsonNode own = metrics.get("series").get(name);
			assertThat(own.get("backtest").get("model").get("byHorizon")).hasSize(2);
			sum += own.get("backtest").get("model").get("mase").asDouble();
		}
		assertThat(metrics.get("pooled").get("series").asInt()).isEqualTo(4);
		assertThat(metrics.get("pooled").get("modelMase").asDouble()).isCloseTo(sum / 4, within(1e-9));

		double[] b = tail(columns.get("b"));
		ResponseEntity<String> named = forecast(http, "global-lstm",
				JSON.writeValueAsString(Map.of("target", "b", "series", b)));
		assertThat(named.getStatusCode()).as(named.getBody()).isEqualTo(HttpStatus.OK);
		JsonNode body = JSON.readTree(named.getBody());
		assertThat(body.get("forecast")).hasSize(2);
		assertThat(body.get("lower")).as("a named series has its own bands").hasSize(2);
		// b lives around 1000 +- 50; read with a's or c's scaler its forecast would be near 10 or 0.5
		assertThat(body.get("forecast").get(0).asDouble()).isBetween(700.0, 1300.0);

		ResponseEntity<String> unknown = forecast(http, "global-lstm",
				JSON.writeValueAsString(Map.of("target", "zzz", "series", b)));
		assertThat(unknown.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
		assertThat(JSON.readTree(unknown.getBody()).get("code").asText()).isEqualTo("unknown_target");

		// a series the model never saw is scaled on its own window: a thousand times the values, a thousand
		// times the forecast
		double[] fresh = new double[WINDOW];
		for (int t = 0; t < WINDOW; t++) {
			fresh[t] = 3 + Math.cos(t / 2.0);
		}
		double[] scaled = Arrays.stream(fresh).map(v -> v * 1000).toArray();
		JsonNode small = JSON.readTree(forecast(http, "global-lstm", JSON.writeValueAsString(Map.of("series", fresh)))
			.getBody());
		JsonNode large = JSON.readTree(forecast(http, "global-lstm",
				JSON.writeValueAsString(Map.of("series", scaled))).getBody());
		assertThat(small.get("forecast")).as(small.toString()).hasSize(2);
		assertThat(small.path("lower").isNull() || small.path("lower").isMissingNode()).as(small.toString()).isTrue();
		for (int k = 0; k < 2; k++) {
			double f = small.get("forecast").get(k).asDouble();
			assertThat(large.get("forecast").get(k).asDouble()).isCloseTo(1000 * f, within(1e-3 * Math.abs(f)));
		}

		// the global model is a base: fine-tuned onto one series
		JsonNode tuned = run(http, "{\"model\":\"global-tuned\",\"task\":\"forecasting\",\"dataset\":\"" + dataset
				+ "\",\"target\":\"c\",\"baseModel\":\"global-lstm\",\"transfer\":{\"mode\":\"fine-tune\"},"
				+ "\"hyperparameters\":{\"horizon\":2,\"epochs\":1}}");
		assertThat(tuned.get("status").asText()).as(tuned.toString()).isEqualTo("SUCCEEDED");
		JsonNode tunedVersion = JSON.readTree(http.getForObject("/api/v1/models/global-tuned/versions/1",
				String.class));
		assertThat(tunedVersion.get("lineage").get("baseModel").asText()).isEqualTo("global-lstm:1");
		assertThat(tunedVersion.get("forecast").get("target").asText()).isEqualTo("c");
	}

	@Test
	void badGlobalRequestsAreRefusedWithTheirCode() throws Exception {
		String dataset = upload(http, "global-bad", threeSeries());
		Map<String, String> cases = new LinkedHashMap<>();
		cases.put("\"target\":\"a\",\"targets\":[\"b\"]", "invalid_request");
		cases.put("\"targets\":[]", "invalid_request");
		cases.put("\"targets\":[\"*\",\"a\"]", "invalid_request");
		cases.put("\"targets\":[\"a\",\"a\"]", "invalid_request");
		cases.put("\"targets\":[\"a\",\"zzz\"]", "unknown_column");
		cases.put("\"targets\":[\"a\",\"b\"],\"hyperparameters\":{\"features\":[\"c\"]}", "invalid_hyperparameter");
		cases.put("\"targets\":[\"a\",\"b\"],\"hyperparameters\":{\"refit\":true}", "invalid_hyperparameter");
		cases.put("\"targets\":[\"a\",\"d\"],\"hyperparameters\":{\"targetTransform\":\"log-returns\"}",
				"invalid_hyperparameter");
		for (Map.Entry<String, String> c : cases.entrySet()) {
			String body = "{\"model\":\"global-refused\",\"task\":\"forecasting\",\"architecture\":\"lstm\","
					+ "\"dataset\":\"" + dataset + "\"," + c.getKey() + "}";
			ResponseEntity<String> refused = http.postForEntity("/api/v1/training-jobs", jsonEntity(body),
					String.class);
			assertThat(refused.getStatusCode()).as(body + " -> " + refused.getBody()).isEqualTo(HttpStatus.BAD_REQUEST);
			assertThat(JSON.readTree(refused.getBody()).get("code").asText()).as(body).isEqualTo(c.getValue());
		}
	}

	private static double[] tail(double[] values) {
		return Arrays.copyOfRange(values, values.length - WINDOW, values.length);
	}

	/** Three positive series on very different scales, and {@code d}, which crosses zero: all four are "*". */
	private static Map<String, double[]> columns() {
		Map<String, double[]> columns = new LinkedHashMap<>();
		for (String name : List.of("a", "b", "c", "d")) {
			columns.put(name, new double[ROWS]);
		}
		for (int t = 0; t < ROWS; t++) {
			columns.get("a")[t] = round(10 + Math.sin(t / 5.0) + t / 100.0);
			columns.get("b")[t] = round(1000 + 50 * Math.sin(t / 7.0 + 1));
			columns.get("c")[t] = round(0.5 + 0.1 * Math.sin(t / 4.0));
			columns.get("d")[t] = round(Math.sin(t / 3.0));
		}
		return columns;
	}

	private static double round(double value) {
		return Math.round(value * 1e4) / 1e4;
	}

	private static String threeSeries() {
		Map<String, double[]> columns = columns();
		StringBuilder csv = new StringBuilder("day,a,b,c,d\n");
		for (int t = 0; t < ROWS; t++) {
			csv.append(String.format(Locale.ROOT, "%d,%.4f,%.4f,%.4f,%.4f%n", t, columns.get("a")[t],
					columns.get("b")[t], columns.get("c")[t], columns.get("d")[t]));
		}
		return csv.toString();
	}

}
