package io.deepserve.inference.oip;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.Base64;

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
import io.deepserve.registry.RegistryHttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Open Inference Protocol v2: health, metadata, readiness and tensor inference, checked against /classify. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OipTests extends ApplicationTestSupport {

	private static final String MODEL = "oip-tiny";

	@Autowired
	ObjectMapper json;

	@BeforeAll
	void importTiny() {
		ResponseEntity<String> created = RegistryHttp.importVersion(http, MODEL, Images.tinyTorchScript(),
				Images.tinyMetadata(null));
		assertThat(created.getStatusCode()).as(created.getBody()).isEqualTo(HttpStatus.CREATED);
	}

	@Test
	void serverHealthAndMetadata() throws Exception {
		assertThat(json.readTree(http.getForObject("/v2/health/live", String.class)).get("live").asBoolean())
			.isTrue();
		ResponseEntity<String> ready = http.getForEntity("/v2/health/ready", String.class);
		assertThat(ready.getStatusCode()).isEqualTo(HttpStatus.OK);
		assertThat(json.readTree(ready.getBody()).get("ready").asBoolean()).isTrue();
		assertThat(json.readTree(http.getForObject("/v2", String.class)).get("name").asText()).isEqualTo("deepserve");
	}

	@Test
	void modelMetadataDescribesTheTensors() throws Exception {
		for (String path : new String[] { "/v2/models/" + MODEL, "/v2/models/" + MODEL + "/versions/1" }) {
			JsonNode metadata = json.readTree(http.getForObject(path, String.class));
			assertThat(metadata.get("name").asText()).isEqualTo(MODEL);
			assertThat(metadata.get("versions")).extracting(JsonNode::asText).containsExactly("1");
			assertThat(metadata.get("platform").asText()).isEqualTo("pytorch_torchscript");
			assertThat(metadata.at("/inputs/0/datatype").asText()).isEqualTo("FP32");
			assertThat(metadata.at("/inputs/0/shape").toString()).isEqualTo("[-1,3,32,32]");
			assertThat(metadata.at("/outputs/0/shape").toString()).isEqualTo("[-1,3]");
		}
		JsonNode ready = json.readTree(http.getForObject("/v2/models/" + MODEL + "/versions/1/ready", String.class));
		assertThat(ready.get("ready").asBoolean()).isTrue();
		assertThat(http.getForEntity("/v2/models/oip-nothing/ready", String.class).getStatusCode())
			.isEqualTo(HttpStatus.NOT_FOUND);
	}

	@Test
	void inferOnPreprocessedTensorsMatchesClassifyOnTheImages() throws Exception {
		// a solid colour stays that colour through resize and crop, so its tensor can be written by hand
		float[] red = solidTensor(255, 0, 0);
		float[] blue = solidTensor(0, 0, 255);
		StringBuilder data = new StringBuilder("[");
		for (float[] image : new float[][] { red, blue }) {
			for (float f : image) {
				data.append(f).append(',');
			}
		}
		data.setCharAt(data.length() - 1, ']');
		String request = """
				{"id": "req-7", "inputs": [{"name": "input", "shape": [2, 3, 32, 32], "datatype": "FP32",
				 "data": %s}]}""".formatted(data);

		ResponseEntity<String> response = post("/v2/models/" + MODEL + "/versions/1/infer", request);

		assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(HttpStatus.OK);
		JsonNode body = json.readTree(response.getBody());
		assertThat(body.get("model_name").asText()).isEqualTo(MODEL);
		assertThat(body.get("model_version").asText()).isEqualTo("1");
		assertThat(body.get("id").asText()).isEqualTo("req-7");
		JsonNode output = body.at("/outputs/0");
		assertThat(output.get("name").asText()).isEqualTo("probabilities");
		assertThat(output.get("datatype").asText()).isEqualTo("FP32");
		assertThat(output.get("shape").toString()).isEqualTo("[2,3]");
		assertSameAsClassify(output.get("data"), 0, Color.RED);
		assertSameAsClassify(output.get("data"), 3, Color.BLUE);
	}

	@Test
	void nestedDataAndBase64ImagesWorkToo() throws Exception {
		float[] red = solidTensor(255, 0, 0);
		StringBuilder nested = new StringBuilder("[[");
		for (int c = 0; c < 3; c++) {
			nested.append(c == 0 ? "[" : ",[");
			for (int y = 0; y < 32; y++) {
				nested.append(y == 0 ? "[" : ",[");
				for (int x = 0; x < 32; x++) {
					nested.append(x == 0 ? "" : ",").append(red[c * 1024 + y * 32 + x]);
				}
				nested.append(']');
			}
			nested.append(']');
		}
		nested.append("]]");
		ResponseEntity<String> tensor = post("/v2/models/" + MODEL + "/infer", """
				{"inputs": [{"name": "input", "shape": [1, 3, 32, 32], "datatype": "FP32", "data": %s}]}"""
			.formatted(nested));
		assertThat(tensor.getStatusCode()).as(tensor.getBody()).isEqualTo(HttpStatus.OK);
		assertSameAsClassify(json.readTree(tensor.getBody()).at("/outputs/0/data"), 0, Color.RED);

		String png = Base64.getEncoder()
			.encodeToString(Images.encode(Images.solid(50, 40, Color.RED, BufferedImage.TYPE_INT_RGB), "png"));
		ResponseEntity<String> bytes = post("/v2/models/" + MODEL + "/infer", """
				{"inputs": [{"name": "image", "shape": [1], "datatype": "BYTES", "data": ["%s"]}]}""".formatted(png));
		assertThat(bytes.getStatusCode()).as(bytes.getBody()).isEqualTo(HttpStatus.OK);
		assertSameAsClassify(json.readTree(bytes.getBody()).at("/outputs/0/data"), 0, Color.RED);
	}

	@Test
	void badTensorsAre400AndUnknownModels404() throws Exception {
		String wrongShape = """
				{"inputs": [{"name": "input", "shape": [1, 3, 8, 8], "datatype": "FP32", "data": [%s]}]}"""
			.formatted("0," .repeat(191) + "0");
		assertCode(post("/v2/models/" + MODEL + "/infer", wrongShape), HttpStatus.BAD_REQUEST, "invalid_tensor");
		String shortData = """
				{"inputs": [{"name": "input", "shape": [1, 3, 32, 32], "datatype": "FP32", "data": [1, 2, 3]}]}""";
		assertCode(post("/v2/models/" + MODEL + "/infer", shortData), HttpStatus.BAD_REQUEST, "invalid_tensor");
		String strings = """
				{"inputs": [{"name": "input", "shape": [1], "datatype": "FP32", "data": ["x"]}]}""";
		assertCode(post("/v2/models/" + MODEL + "/infer", strings), HttpStatus.BAD_REQUEST, "invalid_tensor");
		String badBase64 = """
				{"inputs": [{"name": "image", "shape": [1], "datatype": "BYTES", "data": ["%%%%"]}]}""";
		assertCode(post("/v2/models/" + MODEL + "/infer", badBase64), HttpStatus.BAD_REQUEST, "invalid_tensor");
		String notAnImage = """
				{"inputs": [{"name": "image", "shape": [1], "datatype": "BYTES", "data": ["aGVsbG8="]}]}""";
		assertCode(post("/v2/models/" + MODEL + "/infer", notAnImage), HttpStatus.BAD_REQUEST, "invalid_image");
		assertCode(post("/v2/models/" + MODEL + "/infer", "{\"inputs\": "), HttpStatus.BAD_REQUEST, "invalid_json");
		assertCode(post("/v2/models/" + MODEL + "/infer", "{}"), HttpStatus.BAD_REQUEST, "invalid_tensor");
		assertCode(post("/v2/models/oip-nothing/infer", shortData), HttpStatus.NOT_FOUND, "model_not_found");
	}

	@Test
	void tooLargeOrOverflowingShapesAreRefusedBeforeAnythingRuns() throws Exception {
		String overflow = """
				{"inputs": [{"name": "input", "shape": [4611686018427387904, 4], "datatype": "FP32", "data": [1]}]}""";
		assertCode(post("/v2/models/" + MODEL + "/infer", overflow), HttpStatus.BAD_REQUEST, "invalid_tensor");
		// one more image than the version's queue (64) holds: it could never be queued whole, even when idle
		String rows = """
				{"inputs": [{"name": "input", "shape": [65, 3, 32, 32], "datatype": "FP32", "data": [0]}]}""";
		assertCode(post("/v2/models/" + MODEL + "/infer", rows), HttpStatus.PAYLOAD_TOO_LARGE, "batch_too_large");
		String huge = """
				{"inputs": [{"name": "input", "shape": [1, 20000000], "datatype": "FP32", "data": [0.1, 0.1]}]}""";
		assertCode(post("/v2/models/" + MODEL + "/infer", huge), HttpStatus.PAYLOAD_TOO_LARGE, "tensor_too_large");
	}

	private void assertSameAsClassify(JsonNode probabilities, int offset, Color color) throws Exception {
		HttpHeaders headers = new HttpHeaders();
		headers.setContentType(MediaType.IMAGE_PNG);
		byte[] png = Images.encode(Images.solid(32, 32, color, BufferedImage.TYPE_INT_RGB), "png");
		JsonNode classified = json.readTree(http.postForObject("/api/v1/models/" + MODEL + "/classify?topK=3",
				new HttpEntity<>(png, headers), String.class));
		String[] labels = { "cat", "dog", "fish" };
		for (JsonNode p : classified.get("predictions")) {
			int index = java.util.Arrays.asList(labels).indexOf(p.get("label").asText());
			assertThat(probabilities.get(offset + index).asDouble()).as(p.get("label").asText())
				.isCloseTo(p.get("probability").asDouble(), within(1e-5));
		}
	}

	/** The fixture's preprocessing: x / 255, then (x - 0.5) / 0.25 per channel. */
	private static float[] solidTensor(int r, int g, int b) {
		int[] rgb = { r, g, b };
		float[] out = new float[3 * 32 * 32];
		for (int c = 0; c < 3; c++) {
			for (int i = 0; i < 1024; i++) {
				out[c * 1024 + i] = (rgb[c] / 255f - 0.5f) / 0.25f;
			}
		}
		return out;
	}

	private ResponseEntity<String> post(String path, String body) {
		HttpHeaders headers = new HttpHeaders();
		headers.setContentType(MediaType.APPLICATION_JSON);
		return http.postForEntity(path, new HttpEntity<>(body, headers), String.class);
	}

	private void assertCode(ResponseEntity<String> response, HttpStatus status, String code) throws Exception {
		assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(status);
		JsonNode problem = json.readTree(response.getBody());
		assertThat(problem.get("code").asText()).isEqualTo(code);
		assertThat(problem.get("error").asText()).as("the protocol's error field").isEqualTo(problem.get("detail").asText());
	}

}
