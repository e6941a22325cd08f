package io.deepserve.inference.forecast;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

import io.deepserve.ApplicationTestSupport;
import io.deepserve.ThreadNames;
import io.deepserve.inference.Images;
import io.deepserve.registry.RegistryHttp;

import static io.deepserve.training.forecast.ForecastHttp.forecast;
import static io.deepserve.training.forecast.ForecastHttp.sine;
import static io.deepserve.training.forecast.ForecastHttp.train;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /forecast} on a small log-return forecaster (window 10, horizon 3): a good request, and every way a request
 * can be wrong, each a 400 or 404 with its own code.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ForecastEndpointTests extends ApplicationTestSupport {

	private static final ObjectMapper JSON = new ObjectMapper();

	private static final String MODEL = "fc-endpoint";

	/** Eleven positive values: the window of 10 log-returns needs one raw value more. */
	private static final String GOOD = "[100,101,102,101,100,99,100,101,103,104,103.5]";

	@BeforeAll
	void trainAForecaster() throws Exception {
		String dataset = sine(http, "fc-endpoint-sine");
		JsonNode job = train(http, MODEL, "lstm", dataset, "{\"window\":10,\"horizon\":3,\"hiddenSize\":8,"
				+ "\"layers\":1,\"epochs\":2,\"targetTransform\":\"log-returns\"}");
		assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("SUCCEEDED");
	}

	@Test
	void aLogReturnForecasterForecastsFromItsWindowPlusOne() throws Exception {
		JsonNode version = JSON.readTree(http.getForObject("/api/v1/models/" + MODEL + "/versions/1", String.class));
		assertThat(version.get("forecast").get("targetTransform").asText()).isEqualTo("log-returns");
		assertThat(version.get("forecast").get("bands").get("scale").asText()).isEqualTo("multiplicative");

		ResponseEntity<String> answer = forecast(http, MODEL, "{\"series\":" + GOOD + "}");
		assertThat(answer.getStatusCode()).as(answer.getBody()).isEqualTo(HttpStatus.OK);
		JsonNode body = JSON.readTree(answer.getBody());
		assertThat(body.get("forecast")).as("the horizon defaults to the trained one").hasSize(3);
		for (JsonNode value : body.get("forecast")) {
			// compounded daily log-returns of a slow sine stay near the last price
			assertThat(value.asDouble()).isBetween(103.5 * 0.8, 103.5 * 1.2);
		}
		ResponseEntity<String> shorter = forecast(http, MODEL + ":1", "{\"series\":[1,2,3," + GOOD.substring(1)
				+ ",\"horizon\":2}");
		assertThat(JSON.readTree(shorter.getBody()).get("forecast")).as(shorter.getBody()).hasSize(2);
		assertThat(JSON.readTree(shorter.getBody()).get("forecast").get(0))
			.as("older values than the window change nothing")
			.isEqualTo(body.get("forecast").get(0));
	}

	@Test
	void aForecastWorkerComputesOnItsOwnThreadWithoutAnOpenMpTeam() throws Exception {
		assertThat(forecast(http, MODEL, "{\"series\":" + GOOD + "}").getStatusCode()).isEqualTo(HttpStatus.OK);
		String prefix = "infer-" + MODEL + ":1-";
		long workers = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(prefix)).count();
		long named = ThreadNames.count(ThreadNames.kernelName(prefix));
		assertThat(workers).as("the version's workers").isPositive();
		assertThat(named).as("its workers' threads, each without a team of helpers").isEqualTo(workers);
	}

	@Test
	void theOpenInferenceProtocolForecastsRawWindowsLikeForecastDoes() throws Exception {
		JsonNode expected = JSON.readTree(forecast(http, MODEL, "{\"series\":" + GOOD + "}").getBody()).get("forecast");
		String lower = GOOD.replace("[", "").replace("]", "");
		String body = "{\"inputs\":[{\"name\":\"series\",\"datatype\":\"FP32\",\"shape\":[2,11],"
				+ "\"data\":[" + lower + "," + lower + "]}]}";
		ResponseEntity<String> answer = http.postForEntity("/v2/models/" + MODEL + "/infer",
				io.deepserve.training.forecast.ForecastHttp.jsonEntity(body), String.class);
		assertThat(answer.getStatusCode()).as(answer.getBody()).isEqualTo(HttpStatus.OK);
		JsonNode output = JSON.readTree(answer.getBody()).get("outputs").get(0);
		assertThat(output.get("shape").toString()).isEqualTo("[2,3]");
		for (int k = 0; k < 3; k++) {
			assertThat(output.get("data").get(k).asDouble()).isCloseTo(expected.get(k).asDouble(),
					org.assertj.core.api.Assertions.within(1e-3));
			assertThat(output.get("data").get(3 + k).asDouble()).isCloseTo(expected.get(k).asDouble(),
					org.assertj.core.api.Assertions.within(1e-3));
		}
		JsonNode metadata = JSON.readTree(http.getForObject("/v2/models/" + MODEL, String.class));
		assertThat(metadata.get("inputs").get(0).get("shape").toString()).isEqualTo("[-1,11]");

		String wrongShape = body.replace("[2,11]", "[2,10]");
		assertProblem(http.postForEntity("/v2/models/" + MODEL + "/infer",
				io.deepserve.training.forecast.ForecastHttp.jsonEntity(wrongShape), String.class),
				HttpStatus.BAD_REQUEST, "invalid_tensor", "wrong shape");
	}

	@Test
	void everyBadRequestHasItsCode() throws Exception {
		Map<String, String> cases = new java.util.LinkedHashMap<>();
		cases.put("{\"series\":[100,101,102,101,100,99,100,101,103,104]}", "series_too_short");
		cases.put("{\"series\":[]}", "series_too_short");
		cases.put("{\"series\":[100,101,102,101,100,99,100,101,103,104,NaN]}", "invalid_series");
		cases.put("{\"series\":[100,101,102,101,100,99,100,101,103,104,Infinity]}", "invalid_series");
		cases.put("{\"series\":[100,101,102,101,100,99,100,101,103,104,-Infinity]}", "invalid_series");
		cases.put("{\"series\":[100,101,102,101,100,99,100,101,103,104,1e999]}", "invalid_series");
		cases.put("{\"series\":[100,101,102,101,100,99,100,101,103,104,\"105\"]}", "invalid_series");
		cases.put("{\"series\":[100,101,102,101,100,99,100,101,103,104,null]}", "invalid_series");
		cases.put("{\"series\":[100,101,102,101,100,99,100,101,103,104,[105]]}", "invalid_series");
		cases.put("{\"series\":[100,101,102,101,100,99,100,101,103,104,0]}", "invalid_series");
		cases.put("{\"series\":\"100,101\"}", "invalid_series");
		cases.put("{\"horizon\":2}", "invalid_series");
		cases.put("{\"series\":" + GOOD + ",\"horizon\":4}", "invalid_horizon");
		cases.put("{\"series\":" + GOOD + ",\"horizon\":0}", "invalid_horizon");
		cases.put("{\"series\":" + GOOD + ",\"horizon\":1.5}", "invalid_horizon");
		cases.put("{\"series\":" + GOOD + ",\"horizon\":\"2\"}", "invalid_horizon");
		cases.put("{\"series\":[1,2,", "invalid_json");
		cases.put("[1,2,3]", "invalid_json");
		for (Map.Entry<String, String> c : cases.entrySet()) {
			assertProblem(forecast(http, MODEL, c.getKey()), HttpStatus.BAD_REQUEST, c.getValue(), c.getKey());
		}
	}

	@Test
	void aMissingModelOrAClassifierIsRefused() throws Exception {
		assertProblem(forecast(http, "fc-no-such-model", "{\"series\":" + GOOD + "}"), HttpStatus.NOT_FOUND,
				"model_not_found", "missing model");
		assertProblem(forecast(http, MODEL + ":9", "{\"series\":" + GOOD + "}"), HttpStatus.NOT_FOUND,
				"version_not_found", "missing version");
		ResponseEntity<String> imported = RegistryHttp.importVersion(http, "fc-classifier",
				Images.tinyTorchScript(), Images.tinyMetadata(null));
		assertThat(imported.getStatusCode()).as(imported.getBody()).isEqualTo(HttpStatus.CREATED);
		assertProblem(forecast(http, "fc-classifier", "{\"series\":" + GOOD + "}"), HttpStatus.BAD_REQUEST,
				"wrong_task", "classifier");
	}

	private static void assertProblem(ResponseEntity<String> response, HttpStatus status, String code, String what)
			throws Exception {
		assertThat(response.getStatusCode()).as(what + " -> " + response.getBody()).isEqualTo(status);
		assertThat(response.getHeaders().getContentType().toString()).isEqualTo("application/problem+json");
		assertThat(JSON.readTree(response.getBody()).get("code").asText()).as(what).isEqualTo(code);
	}

}
