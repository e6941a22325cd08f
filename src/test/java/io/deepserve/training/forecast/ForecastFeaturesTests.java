package io.deepserve.training.forecast;

import java.util.LinkedHashMap;
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
import static io.deepserve.training.forecast.ForecastHttp.train;
import static org.assertj.core.api.Assertions.assertThat;

/** Extra input columns, and forecasting requests that are refused before anything is queued. */
class ForecastFeaturesTests extends ApplicationTestSupport {

	private static final ObjectMapper JSON = new ObjectMapper();

	@Test
	void aForecasterReadsItsFeaturesAndWantsThemInEveryRow() throws Exception {
		String dataset = ForecastHttp.upload(http, "fc-features-csv", twoColumns(300));
		JsonNode job = train(http, "fc-features", "gru", dataset, "{\"window\":8,\"horizon\":2,\"hiddenSize\":8,"
				+ "\"layers\":1,\"epochs\":2,\"features\":[\"driver\"],\"targetTransform\":\"none\"}");
		assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("SUCCEEDED");
		JsonNode version = JSON.readTree(http.getForObject("/api/v1/models/fc-features/versions/1", String.class));
		assertThat(version.get("inputShape").toString()).isEqualTo("[1,8,2]");
		assertThat(version.get("forecast").get("features").toString()).isEqualTo("[\"driver\"]");
		assertThat(version.get("forecast").get("scaler").get("mean")).hasSize(2);

		StringBuilder rows = new StringBuilder();
		for (int t = 0; t < 8; t++) {
			rows.append(t == 0 ? "" : ",").append(String.format(Locale.ROOT, "[%.2f,%.2f]", 10 + Math.sin(t), 5.0 + t));
		}
		ResponseEntity<String> answer = forecast(http, "fc-features", "{\"series\":[" + rows + "]}");
		assertThat(answer.getStatusCode()).as(answer.getBody()).isEqualTo(HttpStatus.OK);
		assertThat(JSON.readTree(answer.getBody()).get("forecast")).hasSize(2);

		ResponseEntity<String> plain = forecast(http, "fc-features", "{\"series\":[1,2,3,4,5,6,7,8]}");
		assertThat(plain.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
		assertThat(JSON.readTree(plain.getBody()).get("code").asText()).isEqualTo("invalid_series");
		ResponseEntity<String> nan = forecast(http, "fc-features", "{\"series\":[" + rows + ",[1,NaN]]}");
		assertThat(JSON.readTree(nan.getBody()).get("code").asText()).isEqualTo("invalid_series");
	}

	@Test
	void badForecastingRequestsAreRefusedWithTheirCode() throws Exception {
		String series = ForecastHttp.upload(http, "fc-features-bad", twoColumns(120));
		String images = JSON.readTree(http.postForEntity("/api/v1/datasets/samples/shapes?countPerClass=2&imageSize=16",
				null, String.class).getBody()).get("id").asText();
		Map<String, String> cases = new LinkedHashMap<>();
		cases.put(job("lstm", series, "\"target\":\"nope\"", "{}"), "unknown_column");
		cases.put(job("lstm", series, "\"target\":\"value\"", "{\"features\":[\"nope\"]}"), "unknown_column");
		cases.put(job("lstm", series, "\"target\":\"value\"", "{\"features\":[\"value\"]}"),
				"invalid_hyperparameter");
		cases.put(job("lstm", series, "\"target\":\"value\"", "{\"targetTransform\":\"diff\"}"),
				"invalid_hyperparameter");
		cases.put(job("lstm", series, "\"target\":\"value\"", "{\"hiddenSize\":0}"), "invalid_hyperparameter");
		cases.put(job("lstm", series, "\"target\":\"value\"", "{\"dropout\":1}"), "invalid_hyperparameter");
		cases.put(job("lstm", series, "\"target\":\"value\"", "{\"growthRate\":12}"),
				"unsupported_architecture_option");
		cases.put(job("lstm", series, "\"target\":\"value\"", "{\"window\":100}"), "series_too_short");
		cases.put(job("lstm", series, "\"target\":\"driver\"", "{\"targetTransform\":\"log-returns\"}"),
				"invalid_hyperparameter");
		cases.put(job("resnet18", series, "\"target\":\"value\"", "{}"), "wrong_task");
		cases.put(job("lstm", images, "\"target\":\"value\"", "{}"), "wrong_dataset_kind");
		for (Map.Entry<String, String> c : cases.entrySet()) {
			ResponseEntity<String> refused = http.postForEntity("/api/v1/training-jobs", jsonEntity(c.getKey()),
					String.class);
			assertThat(refused.getStatusCode()).as(c.getKey() + " -> " + refused.getBody())
				.isEqualTo(HttpStatus.BAD_REQUEST);
			assertThat(JSON.readTree(refused.getBody()).get("code").asText()).as(c.getKey()).isEqualTo(c.getValue());
		}
	}

	private static String job(String architecture, String dataset, String target, String hyperparameters) {
		return "{\"model\":\"fc-refused\",\"task\":\"forecasting\",\"architecture\":\"" + architecture
				+ "\",\"dataset\":\"" + dataset + "\"," + target + ",\"hyperparameters\":" + hyperparameters + "}";
	}

	/** {@code value} follows {@code driver} one day late; {@code driver} crosses zero, so log-returns refuse it. */
	private static String twoColumns(int rows) {
		StringBuilder csv = new StringBuilder("day,value,driver\n");
		for (int t = 0; t < rows; t++) {
			csv.append(String.format(Locale.ROOT, "%d,%.4f,%.4f%n", t, 10 + Math.sin((t - 1) / 5.0),
					Math.sin(t / 5.0)));
		}
		return csv.toString();
	}

}
