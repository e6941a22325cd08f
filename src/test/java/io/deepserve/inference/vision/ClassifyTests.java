package io.deepserve.inference.vision;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

import io.deepserve.ApplicationTestSupport;
import io.deepserve.inference.Images;
import io.deepserve.nn.Architectures;
import io.deepserve.registry.ModelVersion;
import io.deepserve.registry.RegistryHttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** {@code POST /classify} end to end, with an imported TorchScript model and a DJL-saved ResNet-18. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClassifyTests extends ApplicationTestSupport {

	@Autowired
	ObjectMapper json;

	@Autowired
	Architectures architectures;

	@Autowired
	ImageClassifier classifier;

	@BeforeAll
	void importTiny() {
		ResponseEntity<String> created = RegistryHttp.importVersion(http, "cls-tiny", Images.tinyTorchScript(),
				Images.tinyMetadata(null));
		assertThat(created.getStatusCode()).as(created.getBody()).isEqualTo(HttpStatus.CREATED);
	}

	@Test
	void classifiesAPngWithTopKProbabilitiesAndTimings() throws Exception {
		ResponseEntity<String> response = Images.classify(http, "cls-tiny",
				Images.encode(Images.pattern(64, 48, 1), "png"), MediaType.IMAGE_PNG);

		assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(HttpStatus.OK);
		JsonNode body = json.readTree(response.getBody());
		assertThat(body.get("model").asText()).isEqualTo("cls-tiny:1");
		JsonNode predictions = body.get("predictions");
		assertThat(predictions).hasSize(3);
		double sum = 0;
		double previous = 1;
		for (JsonNode p : predictions) {
			assertThat(p.get("label").asText()).isIn("cat", "dog", "fish");
			assertThat(p.get("probability").asDouble()).isLessThanOrEqualTo(previous);
			previous = p.get("probability").asDouble();
			sum += previous;
		}
		assertThat(sum).isCloseTo(1.0, within(1e-4));
		assertThat(body.at("/timings/queueMs").isNumber()).isTrue();
		assertThat(body.at("/timings/preprocessMs").asDouble()).isGreaterThan(0);
		assertThat(body.at("/timings/inferenceMs").asDouble()).isGreaterThan(0);

		String prometheus = http.getForObject("/actuator/prometheus", String.class);
		for (String phase : new String[] { "queue", "preprocess", "inference" }) {
			assertThat(prometheus).containsPattern("deepserve_inference_latency_seconds_count\\{model=\"cls-tiny\","
					+ "phase=\"" + phase + "\",version=\"1\"\\} [1-9]");
		}
		assertThat(prometheus).containsPattern(
				"deepserve_inference_requests_total\\{model=\"cls-tiny\",outcome=\"success\",version=\"1\"\\} [1-9]")
			.contains("deepserve_inference_queue_depth{model=\"cls-tiny\",version=\"1\"}")
			.contains("deepserve_inference_batch_size_count{model=\"cls-tiny\",version=\"1\"}")
			.contains("deepserve_inference_models_loaded");
	}

	@Test
	void rawJpegAndMultipartGiveTheSameAnswer() throws Exception {
		byte[] jpeg = Images.encode(Images.pattern(40, 40, 2), "jpg");
		ResponseEntity<String> raw = Images.classify(http, "cls-tiny:1", jpeg, MediaType.IMAGE_JPEG);

		ResponseEntity<String> multipart = Images.classifyMultipart(http, "cls-tiny", jpeg, "photo.jpg");

		assertThat(raw.getStatusCode()).as(raw.getBody()).isEqualTo(HttpStatus.OK);
		assertThat(multipart.getStatusCode()).as(multipart.getBody()).isEqualTo(HttpStatus.OK);
		assertThat(json.readTree(multipart.getBody()).get("predictions"))
			.isEqualTo(json.readTree(raw.getBody()).get("predictions"));
	}

	@Test
	void topKLimitsThePredictionsAndDifferentImagesGetDifferentAnswers() throws Exception {
		HttpHeaders headers = new HttpHeaders();
		headers.setContentType(MediaType.IMAGE_PNG);
		JsonNode red = json.readTree(http.postForEntity("/api/v1/models/cls-tiny/classify?topK=1",
				new HttpEntity<>(Images.encode(Images.solid(32, 32, Color.RED, BufferedImage.TYPE_INT_RGB), "png"),
						headers), String.class).getBody());
		JsonNode blue = json.readTree(http.postForEntity("/api/v1/models/cls-tiny/classify?topK=1",
				new HttpEntity<>(Images.encode(Images.solid(32, 32, Color.BLUE, BufferedImage.TYPE_INT_RGB), "png"),
						headers), String.class).getBody());

		assertThat(red.get("predictions")).hasSize(1);
		assertThat(red.at("/predictions/0/probability").asDouble())
			.isNotCloseTo(blue.at("/predictions/0/probability").asDouble(), within(1e-6));
	}

	@Test
	void servesAResnetSavedByDjl() throws Exception {
		byte[] zip = Images.savedDjlClassifier(architectures, "resnet18", 2, 32);
		ResponseEntity<String> created = RegistryHttp.importVersion(http, "cls-resnet", zip, """
				{"task": "image-classification", "architecture": "resnet18", "labels": ["x", "o"],
				 "preprocessing": {"imageSize": 32, "resize": 40}}""");
		assertThat(created.getStatusCode()).as(created.getBody()).isEqualTo(HttpStatus.CREATED);

		ResponseEntity<String> response = Images.classify(http, "cls-resnet",
				Images.encode(Images.pattern(80, 60, 3), "png"), MediaType.IMAGE_PNG);

		assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(HttpStatus.OK);
		JsonNode body = json.readTree(response.getBody());
		assertThat(body.get("model").asText()).isEqualTo("cls-resnet:1");
		assertThat(body.get("predictions")).hasSize(2);
		assertThat(body.at("/predictions/0/probability").asDouble() + body.at("/predictions/1/probability").asDouble())
			.isCloseTo(1.0, within(1e-4));
	}

	@Test
	void tenCropTtaAveragesTheTenCropsProbabilities() throws Exception {
		// wider than tall and not mirror-symmetric, so the crops differ from the plain centre crop and from each other
		byte[] png = Images.encode(Images.pattern(90, 50, 4), "png");
		ResponseEntity<String> plain = post("", png);
		ResponseEntity<String> tta = post("&tta=10crop", png);

		assertThat(tta.getStatusCode()).as(tta.getBody()).isEqualTo(HttpStatus.OK);
		Map<String, Double> averaged = probabilities(json.readTree(tta.getBody()));
		Map<String, Double> centre = probabilities(json.readTree(plain.getBody()));
		assertThat(json.readTree(tta.getBody()).get("model").asText()).isEqualTo("cls-tiny:1");
		assertThat(averaged.keySet()).containsExactlyInAnyOrder("cat", "dog", "fish");
		assertThat(averaged.get("cat")).isNotCloseTo(centre.get("cat"), within(1e-4));

		// each crop on its own through the same model and workload manager, the mean taken here
		ModelVersion version = classifier.resolve("cls-tiny");
		float[] crops = classifier.preprocessTenCrops(new ByteArrayInputStream(png), version);
		List<float[]> outputs = assertMeanOfEachAlone(averaged, version, crops, 10);
		assertThat(outputs.get(0)[0]).as("the crops themselves differ").isNotCloseTo(outputs.get(4)[0], within(1e-5f));

		ResponseEntity<String> none = post("&tta=none", png);
		assertThat(json.readTree(none.getBody()).get("predictions"))
			.isEqualTo(json.readTree(plain.getBody()).get("predictions"));
	}

	/**
	 * Classifies each of the {@code count} images in {@code images} on its own through the same model and workload
	 * manager, checks that {@code averaged} is their mean, and returns the single outputs.
	 */
	private List<float[]> assertMeanOfEachAlone(Map<String, Double> averaged, ModelVersion version, float[] images,
			int count) {
		int each = images.length / count;
		List<float[]> single = new ArrayList<>();
		for (int c = 0; c < count; c++) {
			single.add(Arrays.copyOfRange(images, c * each, (c + 1) * each));
		}
		List<float[]> outputs = classifier.classifyTensors("cls-tiny", v -> single).outputs();
		for (int k = 0; k < version.labels().size(); k++) {
			double mean = 0;
			for (float[] output : outputs) {
				mean += output[k] / count;
			}
			assertThat(averaged.get(version.labels().get(k))).as(version.labels().get(k)).isCloseTo(mean,
					within(1e-5));
		}
		return outputs;
	}

	/**
	 * The six multi-scale images (the centre crop at three scales and their mirrors) averaged in one request, on a
	 * TorchScript model of the version's fixed size: every image has that size.
	 */
	@Test
	void multiScaleTtaAveragesThreeScalesAndTheirMirrors() throws Exception {
		byte[] png = Images.encode(Images.pattern(90, 50, 4), "png");
		ResponseEntity<String> tta = post("&tta=multiscale", png);

		assertThat(tta.getStatusCode()).as(tta.getBody()).isEqualTo(HttpStatus.OK);
		Map<String, Double> averaged = probabilities(json.readTree(tta.getBody()));
		Map<String, Double> tenCrop = probabilities(json.readTree(post("&tta=10crop", png).getBody()));
		assertThat(averaged.get("cat")).isNotCloseTo(tenCrop.get("cat"), within(1e-4));

		ModelVersion version = classifier.resolve("cls-tiny");
		float[] crops = classifier.preprocessMultiScale(new ByteArrayInputStream(png), version);
		int size = version.preprocessing().imageSize();
		int each = 3 * size * size;
		assertThat(crops).hasSize(6 * each);
		List<float[]> outputs = assertMeanOfEachAlone(averaged, version, crops, 6);
		assertThat(outputs.get(0)[0]).as("the scales differ").isNotCloseTo(outputs.get(4)[0], within(1e-5f));
		// the first image is the plain centre crop when the version resizes to its own size
		Map<String, Double> centre = probabilities(json.readTree(post("", png).getBody()));
		assertThat(version.preprocessing().resizeOrDefault()).isEqualTo(size);
		assertThat((double) outputs.get(0)[0]).isCloseTo(centre.get(version.labels().get(0)), within(1e-5));
	}

	@Test
	void anUnknownTtaIsRefused() throws Exception {
		byte[] png = Images.encode(Images.pattern(40, 40, 5), "png");

		ResponseEntity<String> response = post("&tta=multi-crop", png);

		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
		assertThat(json.readTree(response.getBody()).get("code").asText()).isEqualTo("invalid_tta");
	}

	private ResponseEntity<String> post(String query, byte[] png) {
		HttpHeaders headers = new HttpHeaders();
		headers.setContentType(MediaType.IMAGE_PNG);
		return http.postForEntity("/api/v1/models/cls-tiny/classify?topK=3" + query, new HttpEntity<>(png, headers),
				String.class);
	}

	private static Map<String, Double> probabilities(JsonNode body) {
		Map<String, Double> probabilities = new HashMap<>();
		body.get("predictions").forEach(p -> probabilities.put(p.get("label").asText(), p.get("probability").asDouble()));
		return probabilities;
	}

}
