package io.deepserve.inference.vision;

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
 * {@code serving.precision: bf16} over HTTP: each model is imported twice from the same artifact, at fp32 and at
 * bf16, and the bf16 version answers as the fp32 one does within bfloat16's rounding, after its agreement with fp32
 * was measured on a dataset's images and published. The tests run under the AVX2 cap, where bf16 is right but slow,
 * so the shared application allows slow bf16 ({@code deepserve.engine.allow-slow-bf16}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
class Bf16ServingTests extends ApplicationTestSupport {

	@Autowired
	ObjectMapper json;

	@Autowired
	Architectures architectures;

	@Autowired
	HealthEndpoint health;

	String dataset;

	/** How many images the dataset has, all of which the agreement is measured on (fewer than its 200 a load). */
	int images;

	@BeforeAll
	void shapes() throws Exception {
		ResponseEntity<String> created = http.postForEntity(
				"/api/v1/datasets/samples/shapes?name=bf16-shapes&countPerClass=6&imageSize=32", null, String.class);
		assertThat(created.getStatusCode()).as(created.getBody()).isEqualTo(HttpStatus.CREATED);
		JsonNode body = json.readTree(created.getBody());
		dataset = body.get("id").asText();
		body.get("counts").forEach(count -> images += count.asInt());
		assertThat(images).isEqualTo(36);
	}

	@Test
	void aTorchScriptModelServedInBf16AnswersAsInFp32() throws Exception {
		importBoth("bf16-tiny", Images.tinyTorchScript(), Images.tinyMetadata(null), Images.tinyMetadata(bf16()));

		assertSameAnswers("bf16-tiny");
		assertAgreementPublished("bf16-tiny:2");
	}

	@Test
	void aNetworkBuiltHereServedInBf16AnswersAsInFp32() throws Exception {
		byte[] zip = Images.savedDjlClassifier(architectures, "resnet18", 3, 32);
		String metadata = """
				{"task": "image-classification", "architecture": "resnet18", "labels": ["a", "b", "c"],
				 "preprocessing": {"imageSize": 32}%s}""";
		importBoth("bf16-resnet", zip, metadata.formatted(""), metadata.formatted(", \"serving\": " + bf16()));

		assertSameAnswers("bf16-resnet");
		assertAgreementPublished("bf16-resnet:2");
	}

	@Test
	void bf16ThatPicksOtherClassesIsRefusedAndNotMeasuredAgain(CapturedOutput log) throws Exception {
		// its first two classes are 1e-4 apart: bfloat16 rounds them to a tie, which the first class takes
		byte[] tie;
		try (var in = getClass().getResourceAsStream("/fixtures/tie-classifier.pt")) {
			tie = in.readAllBytes();
		}
		String bf16 = "{\"precision\": \"bf16\", \"agreementDataset\": \"" + dataset + "\"}";
		importBoth("bf16-tie", tie, Images.tinyMetadata(null), Images.tinyMetadata(bf16));
		byte[] image = Images.encode(Images.pattern(40, 40, 2), "png");

		assertThat(Images.probabilities(http, "bf16-tie:1", image)).containsOnlyKeys("cat", "dog", "fish");
		for (int attempt = 0; attempt < 2; attempt++) {
			ResponseEntity<String> refused = Images.classify(http, "bf16-tie:2", image, MediaType.IMAGE_PNG);
			assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
			JsonNode problem = json.readTree(refused.getBody());
			assertThat(problem.get("code").asText()).isEqualTo("precision_disagrees");
			assertThat(problem.get("detail").asText()).contains("0.0% of " + images, "99.0%");
		}
		assertThat(log.getAll().split("bf16-tie:2 in bf16 agrees with fp32", -1)).hasSize(2);
	}

	@Test
	void theOipMetadataSaysThePrecisionServed() throws Exception {
		importBoth("bf16-oip", Images.tinyTorchScript(), Images.tinyMetadata(null), Images.tinyMetadata(bf16()));
		assertThat(Images.classify(http, "bf16-oip:2", Images.encode(Images.pattern(40, 40, 1), "png"),
				MediaType.IMAGE_PNG).getStatusCode()).isEqualTo(HttpStatus.OK);

		JsonNode fp32 = json.readTree(http.getForObject("/v2/models/bf16-oip/versions/1", String.class));
		JsonNode bf16 = json.readTree(http.getForObject("/v2/models/bf16-oip/versions/2", String.class));

		assertThat(fp32.at("/parameters/precision").asText()).isEqualTo("fp32");
		assertThat(fp32.at("/parameters/agreement").isMissingNode()).isTrue();
		assertThat(bf16.at("/parameters/precision").asText()).isEqualTo("bf16");
		assertThat(bf16.at("/parameters/agreement/images").asInt()).isEqualTo(shapesImages());
	}

	/** minAgreement 0: a network of random weights may pick another class where its probabilities are near ties. */
	private String bf16() {
		return "{\"precision\": \"bf16\", \"minAgreement\": 0, \"agreementDataset\": \"" + dataset + "\"}";
	}

	private int shapesImages() {
		return images;
	}

	private void importBoth(String name, byte[] artifact, String fp32, String bf16) {
		for (String metadata : new String[] { fp32, bf16 }) {
			ResponseEntity<String> created = RegistryHttp.importVersion(http, name, artifact, metadata);
			assertThat(created.getStatusCode()).as(created.getBody()).isEqualTo(HttpStatus.CREATED);
		}
	}

	private void assertSameAnswers(String name) throws Exception {
		for (long seed = 1; seed <= 3; seed++) {
			byte[] image = Images.encode(Images.pattern(48, 40, seed), "png");
			Map<String, Double> fp32 = Images.probabilities(http, name + ":1", image);
			Map<String, Double> bf16 = Images.probabilities(http, name + ":2", image);
			assertThat(bf16.keySet()).isEqualTo(fp32.keySet());
			fp32.forEach((label, p) -> assertThat(bf16.get(label)).as(label).isCloseTo(p, within(0.02)));
		}
	}

	private void assertAgreementPublished(String ref) {
		Health models = (Health) ((CompositeHealth) health.healthForPath("readiness")).getComponents().get("models");
		@SuppressWarnings("unchecked")
		Map<String, Agreement> agreements = (Map<String, Agreement>) models.getDetails().get("precision");
		Agreement agreement = agreements.get(ref);
		assertThat(agreement.precision()).isEqualTo("bf16");
		assertThat(agreement.dataset()).isEqualTo(dataset);
		assertThat(agreement.images()).isEqualTo(shapesImages());
		assertThat(agreement.top1Agreement()).isBetween(0.0, 1.0);
		assertThat(agreement.maxAbsDelta()).isGreaterThan(0).isLessThan(0.2);
		assertThat(agreement.fp32MillisPerImage()).isPositive();
		assertThat(agreement.reducedMillisPerImage()).isPositive();
		assertThat(agreements).doesNotContainKey(ref.replace(":2", ":1"));
	}

}
