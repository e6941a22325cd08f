package io.deepserve.training.forecast;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

import io.deepserve.ApplicationTestSupport;
import io.deepserve.inference.ModelLoader;
import io.deepserve.registry.ModelRegistry;
import io.deepserve.registry.ModelVersion;
import io.deepserve.registry.NewModelVersion;

import static io.deepserve.training.forecast.ForecastHttp.forecast;
import static io.deepserve.training.forecast.ForecastHttp.jsonEntity;
import static io.deepserve.training.forecast.ForecastHttp.run;
import static io.deepserve.training.forecast.ForecastHttp.sine;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A registered forecaster as a base: feature extraction leaves its recurrent layers bit-for-bit as they were and
 * trains the head; fine-tuning moves them; a base that does not fit is refused before anything is queued.
 */
class ForecastTransferTests extends ApplicationTestSupport {

	private static final ObjectMapper JSON = new ObjectMapper();

	private static final String SMALL = "\"window\":10,\"horizon\":2,\"hiddenSize\":8,\"layers\":2,\"epochs\":2,"
			+ "\"batchSize\":64";

	@Autowired
	ModelRegistry registry;

	@Autowired
	ModelLoader loader;

	@Test
	void featureExtractionFreezesTheRecurrentLayersAndFineTuningMovesThem() throws Exception {
		String dataset = sine(http, "fc-transfer-sine");
		assertSucceeded(run(http, job("fc-base", dataset, "\"architecture\":\"lstm\"", "{" + SMALL + "}")));

		// same horizon: the base's head is kept and trained on
		assertSucceeded(run(http, job("fc-frozen", dataset,
				"\"baseModel\":\"fc-base\",\"transfer\":{\"mode\":\"feature-extraction\"}", "{\"epochs\":2}")));
		// another horizon: a new head, and every layer trains, the recurrent ones at a tenth of the rate
		assertSucceeded(run(http, job("fc-tuned", dataset,
				"\"baseModel\":\"fc-base\",\"transfer\":{\"mode\":\"fine-tune\",\"baseLearningRateFactor\":0.1}",
				"{\"epochs\":2,\"horizon\":3}")));

		Map<String, byte[]> base = parameters("fc-base");
		Map<String, byte[]> frozen = parameters("fc-frozen");
		Map<String, byte[]> tuned = parameters("fc-tuned");
		assertThat(frozen.keySet()).isEqualTo(base.keySet());
		int recurrent = 0;
		for (String name : base.keySet()) {
			if (name.contains("recurrent")) {
				recurrent++;
				assertThat(frozen.get(name)).as(name + " frozen").isEqualTo(base.get(name));
				assertThat(Arrays.equals(tuned.get(name), base.get(name))).as(name + " fine-tuned").isFalse();
			}
			else {
				assertThat(Arrays.equals(frozen.get(name), base.get(name))).as(name + " head trained").isFalse();
			}
		}
		assertThat(recurrent).as("two LSTM layers' weights and biases").isEqualTo(8);

		JsonNode version = JSON.readTree(http.getForObject("/api/v1/models/fc-tuned/versions/1", String.class));
		assertThat(version.get("lineage").get("baseModel").asText()).isEqualTo("fc-base:1");
		assertThat(version.get("architecture").asText()).isEqualTo("lstm");
		assertThat(version.get("forecast").get("horizon").asInt()).isEqualTo(3);
		assertThat(version.get("metrics").get("transfer").get("mode").asText()).isEqualTo("fine-tune");
		assertThat(version.get("metrics").get("transfer").get("headKept").asBoolean()).isFalse();
		JsonNode frozenVersion = JSON.readTree(http.getForObject("/api/v1/models/fc-frozen/versions/1",
				String.class));
		assertThat(frozenVersion.get("metrics").get("transfer").get("headKept").asBoolean()).isTrue();
		// the same recipe trained from scratch on the same rows, tested against the transferred model
		for (JsonNode transferred : new JsonNode[] { version, frozenVersion }) {
			JsonNode fromScratch = transferred.get("metrics").get("transfer").get("fromScratch");
			assertThat(fromScratch.get("relativeMae").asDouble()).isPositive().isFinite();
			assertThat(fromScratch.get("beatsFromScratchRaw").asBoolean())
				.isEqualTo(fromScratch.get("relativeMae").asDouble() < 1);
			assertThat(fromScratch.get("beatsFromScratch").isBoolean()).isTrue();
			if (fromScratch.get("beatsFromScratch").asBoolean()) {
				assertThat(fromScratch.get("beatsFromScratchRaw").asBoolean()).isTrue();
			}
			assertThat(fromScratch.get("fromScratchBeatsNaive").isBoolean()).isTrue();
			assertThat(fromScratch.get("test").get("pValue").asDouble()).isBetween(0.0, 1.0);
		}

		double[] history = new double[10];
		for (int t = 0; t < history.length; t++) {
			history[t] = 100 + 10 * Math.sin(t);
		}
		ResponseEntity<String> answer = forecast(http, "fc-tuned",
				JSON.writeValueAsString(Map.of("series", history, "target", "value")));
		assertThat(answer.getStatusCode()).as(answer.getBody()).isEqualTo(HttpStatus.OK);
		assertThat(JSON.readTree(answer.getBody()).get("forecast")).hasSize(3);
		ResponseEntity<String> other = forecast(http, "fc-tuned",
				JSON.writeValueAsString(Map.of("series", history, "target", "price")));
		assertThat(other.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
		assertThat(JSON.readTree(other.getBody()).get("code").asText()).isEqualTo("unknown_target");
	}

	@Test
	void aBaseThatDoesNotFitIsRefusedWithItsCode() throws Exception {
		String dataset = sine(http, "fc-transfer-bad");
		assertSucceeded(run(http, job("fc-bad-base", dataset, "\"architecture\":\"gru\"", "{" + SMALL + "}")));
		String images = JSON.readTree(http.postForEntity("/api/v1/datasets/samples/shapes?countPerClass=2&imageSize=16",
				null, String.class).getBody()).get("id").asText();
		assertSucceeded(run(http, "{\"model\":\"fc-image-base\",\"architecture\":\"resnet18\",\"dataset\":\"" + images
				+ "\",\"hyperparameters\":{\"epochs\":1,\"imageSize\":32,\"batchSize\":4,\"augment\":false}}"));
		Map<String, String> cases = new LinkedHashMap<>();
		cases.put(job("fc-refused", dataset, "\"baseModel\":\"fc-image-base\"", "{}"), "incompatible_base_model");
		cases.put(job("fc-refused", dataset, "\"baseModel\":\"fc-bad-base\",\"architecture\":\"lstm\"", "{}"),
				"incompatible_base_model");
		cases.put(job("fc-refused", dataset, "\"baseModel\":\"fc-bad-base\"", "{\"window\":12}"),
				"incompatible_base_model");
		cases.put(job("fc-refused", dataset, "\"baseModel\":\"fc-bad-base\"", "{\"hiddenSize\":16}"),
				"incompatible_base_model");
		cases.put(job("fc-refused", dataset, "\"baseModel\":\"fc-bad-base\"", "{\"layers\":1}"),
				"incompatible_base_model");
		cases.put(job("fc-refused", dataset, "\"baseModel\":\"fc-bad-base\"", "{\"targetTransform\":\"log-returns\"}"),
				"incompatible_base_model");
		cases.put(job("fc-refused", dataset, "\"baseModel\":\"fc-bad-base\",\"transfer\":{\"mode\":\"retrain\"}",
				"{}"), "invalid_transfer");
		cases.put(job("fc-refused", dataset,
				"\"baseModel\":\"fc-bad-base\",\"transfer\":{\"mode\":\"fine-tune\",\"trainableLayers\":1}", "{}"),
				"invalid_transfer");
		cases.put(job("fc-refused", dataset,
				"\"baseModel\":\"fc-bad-base\",\"transfer\":{\"baseLearningRateFactor\":2}", "{}"),
				"invalid_transfer");
		cases.put(job("fc-refused", dataset, "\"baseModel\":\"no-such-model\"", "{}"), "invalid_base_model");
		cases.put(job("fc-refused", dataset, "\"baseModel\":\"fc-bad-base\"", "{\"refit\":true}"), "invalid_transfer");
		for (Map.Entry<String, String> c : cases.entrySet()) {
			ResponseEntity<String> refused = http.postForEntity("/api/v1/training-jobs", jsonEntity(c.getKey()),
					String.class);
			assertThat(refused.getStatusCode()).as(c.getKey() + " -> " + refused.getBody())
				.isEqualTo(HttpStatus.BAD_REQUEST);
			assertThat(JSON.readTree(refused.getBody()).get("code").asText()).as(c.getKey()).isEqualTo(c.getValue());
		}
	}

	private Map<String, byte[]> parameters(String model) {
		ModelVersion version = registry.resolve(model);
		NewModelVersion spec = new NewModelVersion(version.task(), version.architecture(), version.inputShape(), null,
				null, version.forecast(), null, null, null, null);
		Map<String, byte[]> bytes = new LinkedHashMap<>();
		try (Model loaded = loader.load(spec, version.format(), registry.materialize(version), Device.cpu())) {
			for (var entry : loaded.getBlock().getParameters()) {
				Parameter parameter = entry.getValue();
				bytes.put(entry.getKey(), parameter.getArray().toByteArray());
			}
		}
		return bytes;
	}

	private static void assertSucceeded(JsonNode job) {
		assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("SUCCEEDED");
	}

	private static String job(String model, String dataset, String extra, String hyperparameters) {
		return "{\"model\":\"" + model + "\",\"task\":\"forecasting\",\"dataset\":\"" + dataset
				+ "\",\"target\":\"value\"," + extra + ",\"hyperparameters\":" + hyperparameters + "}";
	}

}
