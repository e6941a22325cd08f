package io.deepserve.inference.vision;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.actuate.health.CompositeHealth;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

import io.deepserve.ApplicationTestSupport;
import io.deepserve.inference.Agreement;
import io.deepserve.inference.Images;
import io.deepserve.nn.Architectures;
import io.deepserve.registry.RegistryHttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * A model quantized to int8 in PyTorch (the tiny classifier's weights, {@code scripts/make-test-fixtures.py}) imports
 * as TorchScript and serves as it is, answering as the float32 model does within int8's rounding: libtorch runs its
 * quantized convolution and linear layers through DJL unchanged (BENCHMARKS.md, "int8 pays on this CPU"). Imported
 * with {@code serving.precision: int8}, it is measured against the float32 version it names before it serves.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
class QuantizedImportTests extends ApplicationTestSupport {

	@Autowired
	ObjectMapper json;

	@Autowired
	HealthEndpoint health;

	@Autowired
	Architectures architectures;

	String dataset;

	@BeforeAll
	void shapes() throws Exception {
		ResponseEntity<String> created = http.postForEntity(
				"/api/v1/datasets/samples/shapes?name=int8-shapes&countPerClass=6&imageSize=32", null, String.class);
		assertThat(created.getStatusCode()).as(created.getBody()).isEqualTo(HttpStatus.CREATED);
		dataset = json.readTree(created.getBody()).get("id").asText();
	}

	@Test
	void anInt8TorchScriptModelServesAsItsFp32ModelAnswers() throws Exception {
		importVersion("int8-tiny", Images.tinyTorchScript(), Images.tinyMetadata(null));
		importVersion("int8-tiny", int8(), Images.tinyMetadata(null));

		assertSameAnswers("int8-tiny:1", "int8-tiny:2");
	}

	@Test
	void anInt8VersionIsMeasuredAgainstItsFloat32VersionBeforeItServes(CapturedOutput log) throws Exception {
		importVersion("int8-gated", Images.tinyTorchScript(), Images.tinyMetadata(null));
		importVersion("int8-gated", int8(), Images.tinyMetadata(int8Serving("int8-gated:1", 0.9)));

		assertSameAnswers("int8-gated:1", "int8-gated:2");
		Agreement agreement = agreements().get("int8-gated:2");
		assertThat(agreement.precision()).isEqualTo("int8");
		assertThat(agreement.dataset()).isEqualTo(dataset);
		assertThat(agreement.images()).isEqualTo(36);
		assertThat(agreement.top1Agreement()).isGreaterThanOrEqualTo(0.9);
		// 0.127 measured: the shapes are brighter than the random inputs the fixture was calibrated on
		assertThat(agreement.maxAbsDelta()).isGreaterThan(0).isLessThan(0.2);
		assertThat(agreements()).doesNotContainKey("int8-gated:1");
		assertThat(log.getAll()).contains("int8-gated:2 in int8 agrees with fp32 int8-gated:1 on ");

		JsonNode oip = json.readTree(http.getForObject("/v2/models/int8-gated/versions/2", String.class));
		assertThat(oip.at("/parameters/precision").asText()).isEqualTo("int8");
		assertThat(oip.at("/parameters/agreement/top1Agreement").asDouble())
			.isCloseTo(agreement.top1Agreement(), within(1e-9));
	}

	@Test
	void anInt8VersionThatPicksOtherClassesThanItsReferenceIsRefused() throws Exception {
		// another network with the same labels, which picks cat on every image; the tiny classifier picks dog on these
		byte[] other;
		try (InputStream in = getClass().getResourceAsStream("/fixtures/first-class-classifier.pt")) {
			other = in.readAllBytes();
		}
		importVersion("int8-other", other, Images.tinyMetadata(null));
		importVersion("int8-other", int8(), Images.tinyMetadata(int8Serving("int8-other:1", 0.99)));

		ResponseEntity<String> refused = Images.classify(http, "int8-other:2",
				Images.encode(Images.pattern(40, 40, 1), "png"), MediaType.IMAGE_PNG);

		assertThat(refused.getStatusCode()).as(refused.getBody()).isEqualTo(HttpStatus.CONFLICT);
		JsonNode problem = json.readTree(refused.getBody());
		assertThat(problem.get("code").asText()).isEqualTo("precision_disagrees");
		assertThat(problem.get("detail").asText()).contains("int8-other:2 in int8 picks fp32 int8-other:1's class",
				"on 0.0% of 36 held-out images", "under its serving.minAgreement of 99.0%");
	}

	@Test
	void anInt8ImportMustNameAFloat32VersionOfTheSameClassifier() throws Exception {
		importVersion("int8-refs", Images.tinyTorchScript(), Images.tinyMetadata(null));
		String otherLabels = Images.tinyMetadata(int8Serving("int8-refs:1", 0.99)).replace("\"fish\"", "\"bird\"");
		String otherSize = Images.tinyMetadata(int8Serving("int8-refs:1", 0.99)).replace("\"imageSize\": 32",
				"\"imageSize\": 40");

		assertRefused("int8-refs", int8(), Images.tinyMetadata(int8Serving("int8-refs:9", 0.99)),
				"invalid_agreement_reference", "int8-refs:9 is not a registered version");
		assertRefused("int8-refs", int8(), otherLabels, "invalid_agreement_reference", "has labels [cat, dog, fish]");
		assertRefused("int8-refs", int8(), otherSize, "invalid_agreement_reference", "preprocesses images as");
		String djl = """
				{"task": "image-classification", "architecture": "resnet18", "labels": ["cat", "dog", "fish"],
				 "preprocessing": {"imageSize": 32, "mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25]},
				 "serving": %s}""".formatted(int8Serving("int8-refs:1", 0.99));
		assertRefused("int8-refs", Images.savedDjlClassifier(architectures, "resnet18", 3, 32), djl,
				"invalid_metadata", "which the service does not quantize");
		assertThat(json.readTree(http.getForObject("/api/v1/models/int8-refs", String.class)).get("versions"))
			.hasSize(1);
	}

	@Test
	void theFloat32VersionAnInt8VersionIsMeasuredAgainstIsNotDeletedUnderIt() throws Exception {
		importVersion("int8-kept", Images.tinyTorchScript(), Images.tinyMetadata(null));
		importVersion("int8-kept", int8(), Images.tinyMetadata(int8Serving("int8-kept:1", 0.9)));

		ResponseEntity<String> refused = delete("/api/v1/models/int8-kept/versions/1");
		assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
		assertThat(json.readTree(refused.getBody()).get("code").asText()).isEqualTo("version_in_use");
		assertThat(refused.getBody()).contains("int8-kept:2");
		assertSameAnswers("int8-kept:1", "int8-kept:2");

		assertThat(delete("/api/v1/models/int8-kept/versions/2").getStatusCode().is2xxSuccessful()).isTrue();
		assertThat(delete("/api/v1/models/int8-kept/versions/1").getStatusCode().is2xxSuccessful()).isTrue();
	}

	private String int8Serving(String reference, double minAgreement) {
		return "{\"precision\": \"int8\", \"agreementReference\": \"" + reference + "\", \"agreementDataset\": \""
				+ dataset + "\", \"minAgreement\": " + minAgreement + "}";
	}

	private byte[] int8() throws IOException {
		try (InputStream in = getClass().getResourceAsStream("/fixtures/int8-tiny-classifier.pt")) {
			return in.readAllBytes();
		}
	}

	private void importVersion(String name, byte[] artifact, String metadata) {
		ResponseEntity<String> created = RegistryHttp.importVersion(http, name, artifact, metadata);
		assertThat(created.getStatusCode()).as(created.getBody()).isEqualTo(HttpStatus.CREATED);
	}

	private void assertRefused(String name, byte[] artifact, String metadata, String code, String detail)
			throws IOException {
		ResponseEntity<String> refused = RegistryHttp.importVersion(http, name, artifact, metadata);
		assertThat(refused.getStatusCode()).as(refused.getBody()).isEqualTo(HttpStatus.BAD_REQUEST);
		JsonNode problem = json.readTree(refused.getBody());
		assertThat(problem.get("code").asText()).isEqualTo(code);
		assertThat(problem.get("detail").asText()).contains(detail);
	}

	private ResponseEntity<String> delete(String path) {
		return http.exchange(path, HttpMethod.DELETE, null, String.class);
	}

	private void assertSameAnswers(String fp32Ref, String int8Ref) {
		for (long seed = 1; seed <= 3; seed++) {
			byte[] image = Images.encode(Images.pattern(48, 40, seed), "png");
			Map<String, Double> fp32 = Images.probabilities(http, fp32Ref, image);
			Map<String, Double> quantized = Images.probabilities(http, int8Ref, image);
			assertThat(quantized.keySet()).isEqualTo(fp32.keySet());
			// int8 rounding moved these images' probabilities by up to 0.026 (fp32's top one 0.58)
			fp32.forEach((label, p) -> assertThat(quantized.get(label)).as(label).isCloseTo(p, within(0.05)));
			assertThat(top(quantized)).isEqualTo(top(fp32));
		}
	}

	@SuppressWarnings("unchecked")
	private Map<String, Agreement> agreements() {
		Health models = (Health) ((CompositeHealth) health.healthForPath("readiness")).getComponents().get("models");
		return (Map<String, Agreement>) models.getDetails().get("precision");
	}

	private static String top(Map<String, Double> probabilities) {
		return probabilities.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
	}

}
