package io.deepserve.inference;

import java.nio.file.Files;
import java.nio.file.Path;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

import io.deepserve.ApplicationTestSupport;
import io.deepserve.nn.Architectures;
import io.deepserve.nn.TorchvisionExport;
import io.deepserve.registry.ArtifactFormat;
import io.deepserve.registry.ModelRegistry;
import io.deepserve.registry.ModelVersion;
import io.deepserve.registry.NewModelVersion;
import io.deepserve.registry.RegistryHttp;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Weights exported from torchvision import as an ordinary DJL version that keeps torchvision's logits and serves;
 * a file of another architecture is refused naming the tensor that does not fit.
 */
class PretrainedImportTests extends ApplicationTestSupport {

	private static final String METADATA = """
			{"task": "image-classification", "architecture": "%s", "labels": ["cat", "dog", "fish"],
			 "preprocessing": {"imageSize": 64}}""";

	@Autowired
	ModelRegistry registry;

	@Autowired
	ModelLoader loader;

	@Autowired
	Architectures architectures;

	@Autowired
	ObjectMapper json;

	@Test
	void torchvisionWeightsImportAsADjlVersionThatGivesTorchvisionsLogitsAndServes(@TempDir Path work)
			throws Exception {
		TorchvisionExport export = TorchvisionExport.random("resnet18", 3, 64, work);

		ResponseEntity<String> created = RegistryHttp.importVersion(http, "pretrained-r18",
				Files.readAllBytes(export.weights()), METADATA.formatted("resnet18"));

		assertThat(created.getStatusCode()).as(created.getBody()).isEqualTo(HttpStatus.CREATED);
		JsonNode version = json.readTree(created.getBody());
		assertThat(version.get("format").asText()).isEqualTo("djl");
		assertThat(version.get("parameters").asLong()).isEqualTo(architectures.parameterCount("resnet18", 3, 64));

		ModelVersion stored = registry.resolve("pretrained-r18:1");
		NewModelVersion spec = new NewModelVersion(stored.task(), stored.architecture(), null, stored.labels(),
				stored.preprocessing(), null, null, null, null, null);
		try (Model model = loader.load(spec, ArtifactFormat.DJL, registry.materialize(stored), Device.cpu())) {
			// served in float32: the float64 reference, rounded
			NDList reference = NDList.decode(model.getNDManager(), Files.readAllBytes(export.reference()));
			NDArray input = reference.get("input").toType(DataType.FLOAT32, false);
			NDArray logits = model.getBlock()
				.forward(new ParameterStore(model.getNDManager(), false), new NDList(input), false)
				.head();
			assertThat(logits.sub(reference.get("logits").toType(DataType.FLOAT32, false)).abs().max().getFloat())
				.isLessThan(1e-4f);
		}

		byte[] png = Images.encode(Images.pattern(64, 64, 3), "png");
		ResponseEntity<String> classified = Images.classify(http, "pretrained-r18:1", png, MediaType.IMAGE_PNG);
		assertThat(classified.getStatusCode()).as(classified.getBody()).isEqualTo(HttpStatus.OK);
		assertThat(json.readTree(classified.getBody()).get("predictions")).hasSize(3);
	}

	@Test
	void weightsOfAnotherArchitectureAreRefusedNamingTheFirstMissingTensor(@TempDir Path work) throws Exception {
		TorchvisionExport export = TorchvisionExport.random("resnet18", 3, 64, work);

		ResponseEntity<String> refused = RegistryHttp.importVersion(http, "pretrained-wrong",
				Files.readAllBytes(export.weights()), METADATA.formatted("resnet34"));

		assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
		JsonNode problem = json.readTree(refused.getBody());
		assertThat(problem.get("code").asText()).isEqualTo("invalid_weights");
		assertThat(problem.get("detail").asText()).contains("tensor layer1.2.conv1.weight is missing");
		assertThat(registry.list()).noneMatch(model -> model.name().equals("pretrained-wrong"));
	}

}
