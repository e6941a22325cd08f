package io.deepserve.training;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

import io.deepserve.ApplicationTestSupport;
import io.deepserve.dataset.ShapeImages;
import io.deepserve.inference.Images;
import io.deepserve.inference.ModelLoader;
import io.deepserve.registry.Lineage;
import io.deepserve.registry.ModelRegistry;
import io.deepserve.registry.ModelVersion;
import io.deepserve.registry.NewModelVersion;
import io.deepserve.registry.RegistryHttp;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * TorchScript bases exported by PyTorch with their classifier named {@code fc}, {@code classifier} or something
 * the user names: the classifier is cut (its final linear layer made an identity), recorded in the lineage, and
 * the version rebuilds and serves; a module that cannot be cut is kept whole and says why.
 */
class TorchScriptTransferTests extends ApplicationTestSupport {

	private static final Duration TIMEOUT = Duration.ofSeconds(180);

	private static final String PYTHON = "/usr/bin/python3";

	@Autowired
	ObjectMapper json;

	@Autowired
	ModelRegistry registry;

	@Autowired
	ModelLoader loader;

	@Test
	void theClassifierIsCutWhereTheModuleNamesOneAndTheBaseStaysBitForBit() throws Exception {
		for (String[] kind : List.of(new String[] { "fc", null, "fc", "fc" },
				new String[] { "classifier", null, "classifier", "classifier.1" },
				new String[] { "proj", "proj", "proj", "proj" })) {
			ModelVersion base = importBase("ts-cut-" + kind[0], kind[0]);
			String featureOutput = kind[1] == null ? "" : ", \"featureOutput\": \"" + kind[1] + "\"";
			ModelVersion version = transfer(base, "ts-cut-fe-" + kind[0], "{\"mode\": \"feature-extraction\""
					+ featureOutput + "}");
			Lineage.Transfer transfer = version.lineage().transfer();
			assertThat(transfer.featureOutput()).as(kind[0]).isEqualTo(kind[2]);
			assertThat(transfer.featureWidth()).isEqualTo(8);
			assertThat(transfer.classifier()).startsWith("cut: ").contains(kind[3] + " (8 -> 10)");
			try (Model before = load(base); Model after = load(version)) {
				List<Block> layers = new ArrayList<>(after.getBlock().getChildren().values());
				assertThat(layers).hasSize(3);
				assertThat(layers.get(2).getParameters().get("weight").getArray().getShape().getShape())
					.as("the head reads the 8 features, not 10 logits")
					.containsExactly(2, 8);
				assertThat(bytes(after, "features.0.weight")).isEqualTo(bytes(before, "features.0.weight"));
			}
			classifies(version);
		}
	}

	@Test
	void fineTuningACutBaseTrainsItsBodyAndKeepsTheIdentity() throws Exception {
		ModelVersion base = importBase("ts-cut-ft", "fc");
		ModelVersion tuned = transfer(base, "ts-cut-ft-new", """
				{"mode": "fine-tune", "baseLearningRateFactor": 1}""");
		assertThat(tuned.lineage().transfer().featureOutput()).isEqualTo("fc");
		try (Model before = load(base); Model after = load(tuned)) {
			assertThat(bytes(after, "features.0.weight")).as("the base trained")
				.isNotEqualTo(bytes(before, "features.0.weight"));
			float[] fc = module(after).getParameters().get("fc.weight").getArray().toFloatArray();
			float[] identity = new float[10 * 8];
			for (int i = 0; i < 8; i++) {
				identity[i * 8 + i] = 1;
			}
			assertThat(fc).as("fc passes the features on, saved and reloaded").containsExactly(identity);
			assertThat(module(after).getParameters().get("fc.bias").getArray().toFloatArray()).containsOnly(0f);
		}
		classifies(tuned);
	}

	@Test
	void aModuleThatCannotBeCutIsKeptWholeAndSaysWhy() throws Exception {
		ModelVersion softmax = importBase("ts-whole-softmax", "softmax");
		ModelVersion version = transfer(softmax, "ts-whole-softmax-new", "{\"mode\": \"feature-extraction\"}");
		assertThat(version.lineage().transfer().featureOutput()).isNull();
		assertThat(version.lineage().transfer().classifier()).startsWith("kept whole").contains("nonzero");
		try (Model before = load(softmax); Model after = load(version)) {
			assertThat(new ArrayList<>(after.getBlock().getChildren().values())).hasSize(2);
			assertThat(bytes(after, "fc.weight")).as("the identity was taken back").isEqualTo(bytes(before, "fc.weight"));
			assertThat(bytes(after, "fc.bias")).isEqualTo(bytes(before, "fc.bias"));
		}
		classifies(version);

		ResponseEntity<String> tiny = RegistryHttp.importVersion(http, "ts-whole-tiny", Images.tinyTorchScript(),
				Images.tinyMetadata(null));
		assertThat(tiny.getStatusCode()).isEqualTo(HttpStatus.CREATED);
		ModelVersion narrow = transfer(registry.resolve("ts-whole-tiny"), "ts-whole-tiny-new", "{}");
		assertThat(narrow.lineage().transfer().classifier()).startsWith("kept whole")
			.contains("maps 8 features to 3, fewer than it reads");
		classifies(narrow);
	}

	@Test
	void badTorchScriptTransfersAreRefused() throws Exception {
		ModelVersion base = importBase("ts-bad", "fc");
		String dataset = shapes("x,o");
		String job = """
				{"model": "ts-bad-new", "dataset": "%s", "baseModel": "%s", "transfer": %s}""";
		assertRefused(job.formatted(dataset, base.ref(), "{\"featureOutput\": \"nope\"}"), "unknown_feature_output",
				"submodules it has that do: fc");
		assertRefused(job.formatted(dataset, base.ref(), "{\"cutAt\": \"layer1\"}"), "invalid_transfer",
				"no named stages");
		assertRefused(job.formatted(dataset, base.ref(), "{\"mode\": \"fine-tune\", \"trainableStages\": 1}"),
				"invalid_transfer", "no named stages");
		ResponseEntity<String> tiny = RegistryHttp.importVersion(http, "ts-bad-tiny", Images.tinyTorchScript(),
				Images.tinyMetadata(null));
		assertThat(tiny.getStatusCode()).isEqualTo(HttpStatus.CREATED);
		assertRefused(job.formatted(dataset, "ts-bad-tiny", "{\"featureOutput\": \"fc\"}"), "invalid_transfer",
				"fewer than it reads");
	}

	private ModelVersion importBase(String name, String kind) throws Exception {
		Path dir = Files.createTempDirectory(DATA_DIR, "torchscript-");
		Path script = dir.resolve("torchscript_heads.py");
		try (InputStream in = getClass().getResourceAsStream("/scripts/torchscript_heads.py")) {
			Files.copy(in, script);
		}
		Path module = dir.resolve(kind + ".pt");
		Process python = new ProcessBuilder(PYTHON, script.toString(), kind, module.toString())
			.redirectErrorStream(true)
			.start();
		String output;
		try (InputStream out = python.getInputStream()) {
			output = new String(out.readAllBytes(), StandardCharsets.UTF_8);
		}
		assertThat(python.waitFor(2, TimeUnit.MINUTES)).isTrue();
		assertThat(python.exitValue()).as(output).isZero();
		ResponseEntity<String> imported = RegistryHttp.importVersion(http, name, Files.readAllBytes(module), """
				{"task": "image-classification", "architecture": "torchscript",
				 "labels": ["c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9"],
				 "preprocessing": {"imageSize": 32, "mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25]}}""");
		assertThat(imported.getStatusCode()).as(imported.getBody()).isEqualTo(HttpStatus.CREATED);
		return registry.resolve(name);
	}

	private ModelVersion transfer(ModelVersion base, String name, String transfer) throws Exception {
		JsonNode done = TrainingHttp.awaitFinished(http, json, TrainingHttp.id(json, TrainingHttp.submit(http, """
				{"model": "%s", "dataset": "%s", "baseModel": "%s", "transfer": %s,
				 "hyperparameters": {"epochs": 1, "batchSize": 8, "learningRate": 0.01, "seed": 3, "augment": false},
				 "device": "cpu"}""".formatted(name, shapes("x,o"), base.ref(), transfer))), TIMEOUT);
		assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
		ModelVersion version = registry.resolve(done.get("resultModel").asText());
		assertThat(version.architecture()).isEqualTo("torchscript");
		return version;
	}

	private void classifies(ModelVersion version) throws Exception {
		ResponseEntity<String> answer = Images.classify(http, version.ref(), ShapeImages.png("square", 48, 1),
				MediaType.IMAGE_PNG);
		assertThat(answer.getStatusCode()).as(answer.getBody()).isEqualTo(HttpStatus.OK);
		assertThat(json.readTree(answer.getBody()).get("predictions")).hasSize(2);
	}

	/** The TorchScript module: the base itself, or the first layer of a version trained on it. */
	private static Block module(Model model) {
		Block block = model.getBlock();
		return block.getChildren().isEmpty() ? block : block.getChildren().get(0).getValue();
	}

	private static byte[] bytes(Model model, String parameter) {
		Parameter found = module(model).getParameters().get(parameter);
		assertThat(found).as(parameter).isNotNull();
		return found.getArray().toByteArray();
	}

	private Model load(ModelVersion version) {
		NewModelVersion spec = new NewModelVersion(version.task(), version.architecture(), null, version.labels(),
				version.preprocessing(), null, null, version.lineage(), null, null);
		return loader.load(spec, version.format(), registry.materialize(version), Device.cpu());
	}

	private String shapes(String classes) throws Exception {
		ResponseEntity<String> created = http.postForEntity("/api/v1/datasets/samples/shapes?classes=" + classes
				+ "&countPerClass=8&imageSize=32&seed=4", null, String.class);
		assertThat(created.getStatusCode()).as(created.getBody()).isEqualTo(HttpStatus.CREATED);
		return json.readTree(created.getBody()).get("id").asText();
	}

	private void assertRefused(String body, String code, String detail) throws Exception {
		ResponseEntity<String> refused = TrainingHttp.submit(http, body);
		assertThat(refused.getStatusCode()).as(refused.getBody()).isEqualTo(HttpStatus.BAD_REQUEST);
		JsonNode problem = json.readTree(refused.getBody());
		assertThat(problem.get("code").asText()).as(refused.getBody()).isEqualTo(code);
		assertThat(problem.get("detail").asText()).contains(detail);
	}

}
