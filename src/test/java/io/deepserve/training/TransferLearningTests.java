package io.deepserve.training;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
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
import io.deepserve.registry.ArtifactFormat;
import io.deepserve.registry.ModelRegistry;
import io.deepserve.registry.ModelVersion;
import io.deepserve.registry.NewModelVersion;
import io.deepserve.registry.RegistryHttp;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Transfer learning end to end: a base trained on some shapes, a new model trained on other shapes on top of it.
 * What "frozen" means is checked on the registered artifacts, parameter by parameter, bit for bit.
 */
class TransferLearningTests extends ApplicationTestSupport {

	private static final Duration TIMEOUT = Duration.ofSeconds(180);

	@Autowired
	ObjectMapper json;

	@Autowired
	ModelRegistry registry;

	@Autowired
	ModelLoader loader;

	@Test
	void featureExtractionKeepsTheBaseBitForBitAndItsNewHeadLearnsOtherClasses() throws Exception {
		ModelVersion base = trainBase("tl-base-fe");
		String others = shapes("square,plus,diamond", 2);
		JsonNode done = await(id(submit("""
				{"model": "tl-fe", "dataset": "%s", "baseModel": "%s",
				 "transfer": {"mode": "feature-extraction"},
				 "hyperparameters": {"epochs": 8, "batchSize": 8, "learningRate": 0.01, "seed": 3, "augment": false,
				   "earlyStoppingPatience": 0}, "device": "cpu"}""".formatted(others, base.name()))));
		assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("SUCCEEDED");

		ModelVersion transferred = registry.resolve(done.get("resultModel").asText());
		assertThat(transferred.architecture()).isEqualTo("resnet18");
		assertThat(transferred.labels()).containsExactly("diamond", "plus", "square");
		assertThat(transferred.lineage().baseModel()).isEqualTo(base.ref());
		assertThat(transferred.preprocessing().imageSize()).as("image size taken from the base").isEqualTo(32);
		// a base trained for seconds gives weak features: the claim here is that the head fits them, not how
		// well that generalises
		List<JsonNode> history = new ArrayList<>();
		done.get("history").forEach(history::add);
		JsonNode first = history.get(0);
		JsonNode last = history.get(history.size() - 1);
		assertThat(last.get("trainLoss").asDouble()).as("the new head learns: " + history)
			.isLessThan(first.get("trainLoss").asDouble() / 2);
		assertThat(last.get("trainAccuracy").asDouble()).as("well above chance (1/3) on its training images")
			.isGreaterThan(0.6);

		List<Parameter[]> pairs = parameterPairs(base, transferred);
		List<Parameter[]> body = pairs.subList(0, pairs.size() - 2);
		assertThat(body).isNotEmpty().allSatisfy(pair -> assertThat(bytes(pair[1])).as(pair[0].getName())
			.isEqualTo(bytes(pair[0])));
		assertThat(pairs.subList(pairs.size() - 2, pairs.size())).as("the head is new")
			.allSatisfy(pair -> assertThat(bytes(pair[1])).isNotEqualTo(bytes(pair[0])));
		classifies(transferred, 3);
	}

	@Test
	void fineTuningTheLastLayerChangesItAndNothingBeforeIt() throws Exception {
		ModelVersion base = trainBase("tl-base-ft");
		String others = shapes("square,plus", 2);
		JsonNode done = await(id(submit("""
				{"model": "tl-ft", "dataset": "%s", "baseModel": "%s",
				 "transfer": {"mode": "fine-tune", "baseLearningRateFactor": 0.5, "trainableLayers": 1},
				 "hyperparameters": {"epochs": 2, "batchSize": 8, "learningRate": 0.01, "seed": 3}, "device": "cpu"}"""
			.formatted(others, base.ref()))));
		assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
		ModelVersion tuned = registry.resolve(done.get("resultModel").asText());

		// resnet18's last layer with parameters is its fourth stage; everything before it stays as it was
		try (Model before = load(base); Model after = load(tuned)) {
			SequentialBlock baseNet = (SequentialBlock) before.getBlock();
			SequentialBlock tunedNet = (SequentialBlock) after.getBlock();
			int stages = baseNet.getChildren().size();
			int lastStage = stages - 3; // then global pooling and the classifier
			for (int i = 0; i < stages - 1; i++) {
				List<Parameter> a = new ArrayList<>(baseNet.getChildren().get(i).getValue().getParameters().values());
				List<Parameter> b = new ArrayList<>(tunedNet.getChildren().get(i).getValue().getParameters().values());
				for (int p = 0; p < a.size(); p++) {
					if (i == lastStage) {
						if (a.get(p).requiresGradient()) {
							assertThat(bytes(b.get(p))).as("fine-tuned " + a.get(p).getName()).isNotEqualTo(bytes(a.get(p)));
						}
					}
					else {
						assertThat(bytes(b.get(p))).as("frozen " + a.get(p).getName()).isEqualTo(bytes(a.get(p)));
					}
				}
			}
		}
	}

	@Test
	void anImportedTorchScriptModelIsABaseAndStaysUnchanged() throws Exception {
		ResponseEntity<String> imported = RegistryHttp.importVersion(http, "tl-ts-base", Images.tinyTorchScript(),
				Images.tinyMetadata(null));
		assertThat(imported.getStatusCode()).as(imported.getBody()).isEqualTo(HttpStatus.CREATED);
		String others = shapes("x,o", 1);
		JsonNode done = await(id(submit("""
				{"model": "tl-ts", "dataset": "%s", "baseModel": "tl-ts-base",
				 "hyperparameters": {"epochs": 2, "batchSize": 8, "learningRate": 0.01, "seed": 3}, "device": "cpu"}"""
			.formatted(others))));
		assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
		ModelVersion transferred = registry.resolve(done.get("resultModel").asText());
		assertThat(transferred.architecture()).isEqualTo("torchscript");
		assertThat(transferred.format()).isEqualTo(ArtifactFormat.DJL);
		assertThat(transferred.preprocessing().mean()).containsExactly(0.5f, 0.5f, 0.5f);

		ModelVersion base = registry.resolve("tl-ts-base");
		try (Model before = load(base); Model after = load(transferred)) {
			List<Parameter> a = new ArrayList<>(before.getBlock().getParameters().values());
			List<Parameter> b = new ArrayList<>(((SequentialBlock) after.getBlock()).getChildren().get(0).getValue()
				.getParameters().values());
			assertThat(b).hasSameSizeAs(a).isNotEmpty();
			for (int p = 0; p < a.size(); p++) {
				assertThat(bytes(b.get(p))).as(a.get(p).getName()).isEqualTo(bytes(a.get(p)));
			}
		}
		classifies(transferred, 2);
	}

	@Test
	void fineTuningAnImportedTorchScriptBaseTrainsItsWeights() throws Exception {
		ResponseEntity<String> imported = RegistryHttp.importVersion(http, "tl-ts-ft-base", Images.tinyTorchScript(),
				Images.tinyMetadata(null));
		assertThat(imported.getStatusCode()).as(imported.getBody()).isEqualTo(HttpStatus.CREATED);
		JsonNode done = await(id(submit("""
				{"model": "tl-ts-ft", "dataset": "%s", "baseModel": "tl-ts-ft-base",
				 "transfer": {"mode": "fine-tune", "baseLearningRateFactor": 1},
				 "hyperparameters": {"epochs": 2, "batchSize": 8, "learningRate": 0.01, "seed": 3}, "device": "cpu"}"""
			.formatted(shapes("x,o", 4)))));
		assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
		ModelVersion tuned = registry.resolve(done.get("resultModel").asText());

		try (Model before = load(registry.resolve("tl-ts-ft-base")); Model after = load(tuned)) {
			List<Parameter> a = new ArrayList<>(before.getBlock().getParameters().values());
			List<Parameter> b = new ArrayList<>(((SequentialBlock) after.getBlock()).getChildren().get(0).getValue()
				.getParameters().values());
			assertThat(b).hasSameSizeAs(a).isNotEmpty();
			List<String> changed = new ArrayList<>();
			for (int p = 0; p < a.size(); p++) {
				if (!java.util.Arrays.equals(bytes(a.get(p)), bytes(b.get(p)))) {
					changed.add(a.get(p).getName());
				}
			}
			assertThat(changed).as("base parameters the fine-tuning changed").isNotEmpty();
		}
		classifies(tuned, 2);
	}

	@Test
	void badTransferRequestsAreRefusedBeforeAnythingIsQueued() throws Exception {
		String dataset = shapes("x,o", 1);
		int before = jobCount();
		assertRefused("""
				{"model": "tl-bad", "dataset": "%s", "baseModel": "no-such-model"}""".formatted(dataset),
				"invalid_base_model");
		assertRefused("""
				{"model": "tl-bad", "architecture": "resnet18", "dataset": "%s",
				 "transfer": {"mode": "fine-tune"}}""".formatted(dataset), "invalid_transfer");
		ResponseEntity<String> imported = RegistryHttp.importVersion(http, "tl-bad-base", Images.tinyTorchScript(),
				Images.tinyMetadata(null));
		assertThat(imported.getStatusCode()).isEqualTo(HttpStatus.CREATED);
		assertRefused("""
				{"model": "tl-bad", "dataset": "%s", "baseModel": "tl-bad-base", "transfer": {"mode": "retrain"}}"""
			.formatted(dataset), "invalid_transfer");
		assertRefused("""
				{"model": "tl-bad", "dataset": "%s", "baseModel": "tl-bad-base", "architecture": "vgg11"}"""
			.formatted(dataset), "architecture_mismatch");
		assertRefused("""
				{"model": "tl-bad", "dataset": "%s", "baseModel": "tl-bad-base",
				 "transfer": {"mode": "fine-tune", "trainableLayers": 2}}""".formatted(dataset), "invalid_transfer");
		assertRefused("""
				{"model": "tl-bad", "dataset": "%s", "baseModel": "tl-bad-base",
				 "transfer": {"mode": "fine-tune", "baseLearningRateFactor": 0}}""".formatted(dataset),
				"invalid_transfer");
		assertRefused("""
				{"model": "tl-bad", "dataset": "%s", "baseModel": "tl-bad-base",
				 "hyperparameters": {"schedule": "sawtooth"}}""".formatted(dataset), "invalid_hyperparameter");
		assertThat(jobCount()).isEqualTo(before);
	}

	private ModelVersion trainBase(String name) throws Exception {
		JsonNode done = await(id(submit("""
				{"model": "%s", "architecture": "resnet18", "dataset": "%s",
				 "hyperparameters": {"epochs": 3, "batchSize": 8, "imageSize": 32, "seed": 5, "augment": false},
				 "device": "cpu"}"""
			.formatted(name, shapes("x,o,triangle", 1)))));
		assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
		return registry.resolve(done.get("resultModel").asText());
	}

	/** Loaded directly, and served over HTTP like any other version. */
	private void classifies(ModelVersion version, int classes) throws Exception {
		ResponseEntity<String> answer = Images.classify(http, version.ref(), ShapeImages.png("square", 48, 1),
				MediaType.IMAGE_PNG);
		assertThat(answer.getStatusCode()).as(answer.getBody()).isEqualTo(HttpStatus.OK);
		JsonNode predictions = json.readTree(answer.getBody()).get("predictions");
		assertThat(predictions).hasSize(classes);
		double sum = 0;
		for (JsonNode prediction : predictions) {
			assertThat(version.labels()).contains(prediction.get("label").asText());
			sum += prediction.get("probability").asDouble();
		}
		assertThat(sum).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-3));
		loads(version, classes);
	}

	private void loads(ModelVersion version, int classes) {
		try (Model model = load(version); NDManager manager = model.getNDManager().newSubManager()) {
			NDList out = model.getBlock()
				.forward(new ParameterStore(manager, false), new NDList(manager.ones(new Shape(2, 3, 32, 32))), false);
			assertThat(out.singletonOrThrow().getShape()).isEqualTo(new Shape(2, classes));
		}
	}

	/** Parameters of two versions of the same structure, in order: base's first, then the other's. */
	private List<Parameter[]> parameterPairs(ModelVersion a, ModelVersion b) {
		List<Parameter[]> pairs = new ArrayList<>();
		try (Model left = load(a); Model right = load(b)) {
			List<Parameter> l = new ArrayList<>(left.getBlock().getParameters().values());
			List<Parameter> r = new ArrayList<>(right.getBlock().getParameters().values());
			assertThat(r).hasSameSizeAs(l);
			for (int i = 0; i < l.size(); i++) {
				pairs.add(new Parameter[] { l.get(i), r.get(i) });
				bytesCache.put(l.get(i), l.get(i).getArray().toByteArray());
				bytesCache.put(r.get(i), r.get(i).getArray().toByteArray());
			}
		}
		return pairs;
	}

	private final java.util.Map<Parameter, byte[]> bytesCache = new java.util.IdentityHashMap<>();

	private byte[] bytes(Parameter parameter) {
		byte[] cached = bytesCache.get(parameter);
		if (cached != null) {
			return cached;
		}
		NDArray array = parameter.getArray();
		return array.toByteArray();
	}

	private Model load(ModelVersion version) {
		NewModelVersion spec = new NewModelVersion(version.task(), version.architecture(), null, version.labels(),
				version.preprocessing(), null, null, null, null, null);
		return loader.load(spec, version.format(), registry.materialize(version), Device.cpu());
	}

	private String shapes(String classes, int seed) throws Exception {
		ResponseEntity<String> created = http.postForEntity("/api/v1/datasets/samples/shapes?classes=" + classes
				+ "&countPerClass=20&imageSize=32&seed=" + seed, null, String.class);
		assertThat(created.getStatusCode()).as(created.getBody()).isEqualTo(HttpStatus.CREATED);
		return json.readTree(created.getBody()).get("id").asText();
	}

	private void assertRefused(String body, String code) throws Exception {
		ResponseEntity<String> refused = submit(body);
		assertThat(refused.getStatusCode()).as(refused.getBody()).isEqualTo(HttpStatus.BAD_REQUEST);
		assertThat(json.readTree(refused.getBody()).get("code").asText()).as(refused.getBody()).isEqualTo(code);
	}

	private int jobCount() throws Exception {
		return json.readTree(http.getForObject("/api/v1/training-jobs", String.class)).size();
	}

	private ResponseEntity<String> submit(String body) {
		return TrainingHttp.submit(http, body);
	}

	private String id(ResponseEntity<String> created) throws Exception {
		return TrainingHttp.id(json, created);
	}

	private JsonNode await(String id) throws Exception {
		return TrainingHttp.awaitFinished(http, json, id, TIMEOUT);
	}

}
