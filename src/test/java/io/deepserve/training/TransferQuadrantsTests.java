package io.deepserve.training;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
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
import io.deepserve.nn.Architectures;
import io.deepserve.nn.Stage;
import io.deepserve.registry.Lineage;
import io.deepserve.registry.ModelRegistry;
import io.deepserve.registry.ModelVersion;
import io.deepserve.registry.NewModelVersion;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The four quadrants of the transfer table on a built-in architecture, and GoogLeNet bases: what is frozen is
 * compared bit for bit between the base's and the new version's registered artifacts, stage by stage; what trains
 * must have changed; every version serves over HTTP and reloads from the registry as its lineage describes.
 */
class TransferQuadrantsTests extends ApplicationTestSupport {

	private static final Duration TIMEOUT = Duration.ofSeconds(240);

	@Autowired
	ObjectMapper json;

	@Autowired
	ModelRegistry registry;

	@Autowired
	ModelLoader loader;

	@Autowired
	Architectures architectures;

	/** One resnet18 base and one version cut from it at layer3, trained once for all the tests here. */
	private static ModelVersion resnet;

	private static ModelVersion cutAtLayer3;

	@Test
	void fineTuningTheLastStageTrainsItAndLeavesEveryEarlierStageBitForBit() throws Exception {
		ModelVersion base = resnet();
		ModelVersion tuned = transfer(base, "tq-ft", "square,plus", """
				{"mode": "fine-tune", "trainableStages": 1, "baseLearningRateFactor": 0.5}""");
		assertThat(tuned.lineage().transfer()).isEqualTo(
				new Lineage.Transfer("fine-tune", null, 1, null, 0.5f, null, null, null));
		List<Stage> stages = architectures.stages("resnet18");
		Stage layer4 = stages.get(4);
		compare(base, tuned, layer4.from(), layer4.to());
		classifies(tuned, 2);
	}

	@Test
	void fullFineTuningChangesEveryStage() throws Exception {
		ModelVersion base = resnet();
		ModelVersion tuned = transfer(base, "tq-full", "square,plus", """
				{"mode": "fine-tune", "baseLearningRateFactor": 1}""");
		compare(base, tuned, 0, architectures.stages("resnet18").get(4).to());
		classifies(tuned, 2);
	}

	@Test
	void cutAtAnEarlierStageServesReloadsAndCanItselfBeABase() throws Exception {
		ModelVersion base = resnet();
		// feature extraction from layer3: the whole remaining base is frozen, the head reads its 256 channels
		ModelVersion cut = cutAtLayer3();
		assertThat(cut.architecture()).isEqualTo("resnet18");
		assertThat(cut.lineage().transfer().cutAt()).isEqualTo("layer3");
		Stage layer3 = architectures.stages("resnet18").get(3);
		compare(base, cut, layer3.to(), layer3.to());
		try (Model model = load(cut)) {
			List<Block> layers = new ArrayList<>(model.getBlock().getChildren().values());
			assertThat(layers).as("the base up to layer3, pooling, the head").hasSize(layer3.to() + 2);
			Parameter head = layers.get(layers.size() - 1).getParameters().get("weight");
			assertThat(head.getArray().getShape()).isEqualTo(new Shape(3, 256));
		}
		classifies(cut, 3);

		// fine-tuning the cut version's last stage: layer3 trains, and the network stays cut there
		ModelVersion again = transfer(cut, "tq-cut-ft", "x,o", """
				{"mode": "fine-tune", "trainableStages": 1}""");
		assertThat(again.lineage().transfer().cutAt()).as("kept from its base").isEqualTo("layer3");
		compare(cut, again, layer3.from(), layer3.to());
		classifies(again, 2);

		// fine-tune and cut in one job: layer2 trains, stem and layer1 stay as they were
		ModelVersion both = transfer(base, "tq-cut-both", "x,o", """
				{"mode": "fine-tune", "cutAt": "layer2", "trainableStages": 1}""");
		Stage layer2 = architectures.stages("resnet18").get(2);
		compare(base, both, layer2.from(), layer2.to());
		classifies(both, 2);
	}

	@Test
	void googLeNetBasesOfBothKindsTransferAndServeWithoutAuxiliaryHeads() throws Exception {
		for (String architecture : List.of("googlenet", "googlenet_torchvision")) {
			ModelVersion base = trainBase("tq-base-" + architecture.replace('_', '-'), architecture);
			ModelVersion tuned = transfer(base, "tq-ft-" + architecture.replace('_', '-'), "square,plus", """
					{"mode": "fine-tune", "trainableStages": 2}""");
			List<Stage> stages = architectures.stages(architecture);
			compare(base, tuned, stages.get(2).from(), stages.get(3).to());
			try (Model model = load(tuned)) {
				assertThat(io.deepserve.nn.ParameterCounter.count(model.getBlock()))
					.as("the served network has no auxiliary heads")
					.isEqualTo(architectures.parameterCount(architecture, 2, 32));
			}
			classifies(tuned, 2);

			ModelVersion extracted = transfer(base, "tq-fe-" + architecture.replace('_', '-'), "square,plus", """
					{"mode": "feature-extraction", "cutAt": "inception4"}""");
			compare(base, extracted, stages.get(2).to(), stages.get(2).to());
			classifies(extracted, 2);
		}
	}

	@Test
	void badStageRequestsAreRefusedWithTheirOwnCodes() throws Exception {
		ModelVersion base = resnet();
		String dataset = shapes("x,o", 1);
		String job = """
				{"model": "tq-bad", "dataset": "%s", "baseModel": "%s", "transfer": %s}""";
		assertRefused(job.formatted(dataset, base.ref(), """
				{"cutAt": "layer9"}"""), "unknown_stage", "stem, layer1, layer2, layer3, layer4");
		assertRefused(job.formatted(dataset, base.ref(), """
				{"mode": "fine-tune", "trainableStages": 0}"""), "invalid_transfer", "between 1 and 5");
		assertRefused(job.formatted(dataset, base.ref(), """
				{"mode": "fine-tune", "trainableStages": 6}"""), "invalid_transfer", "between 1 and 5");
		assertRefused(job.formatted(dataset, base.ref(), """
				{"mode": "fine-tune", "cutAt": "layer1", "trainableStages": 3}"""), "invalid_transfer",
				"between 1 and 2");
		assertRefused(job.formatted(dataset, base.ref(), """
				{"mode": "feature-extraction", "trainableStages": 1}"""), "invalid_transfer", "fine-tune only");
		assertRefused(job.formatted(dataset, base.ref(), """
				{"mode": "fine-tune", "trainableStages": 1, "trainableLayers": 1}"""), "invalid_transfer", "not both");
		assertRefused(job.formatted(dataset, base.ref(), """
				{"featureOutput": "fc"}"""), "invalid_transfer", "TorchScript");
		ModelVersion cut = cutAtLayer3();
		assertRefused(job.formatted(dataset, cut.ref(), """
				{"cutAt": "layer4"}"""), "unknown_stage", "its stages: stem, layer1, layer2, layer3");
		assertRefused(job.formatted(dataset, cut.ref(), """
				{"mode": "fine-tune", "trainableStages": 5}"""), "invalid_transfer", "between 1 and 4");
	}

	private synchronized ModelVersion resnet() throws Exception {
		if (resnet == null) {
			resnet = trainBase("tq-base", "resnet18");
		}
		return resnet;
	}

	private synchronized ModelVersion cutAtLayer3() throws Exception {
		if (cutAtLayer3 == null) {
			cutAtLayer3 = transfer(resnet(), "tq-cut", "square,plus,diamond", """
					{"mode": "feature-extraction", "cutAt": "layer3"}""");
		}
		return cutAtLayer3;
	}

	private ModelVersion trainBase(String name, String architecture) throws Exception {
		JsonNode done = await(id(submit("""
				{"model": "%s", "architecture": "%s", "dataset": "%s",
				 "hyperparameters": {"epochs": 1, "batchSize": 8, "imageSize": 32, "seed": 5, "augment": false},
				 "device": "cpu"}"""
			.formatted(name, architecture, shapes("x,o,triangle", 1)))));
		assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
		return registry.resolve(done.get("resultModel").asText());
	}

	private ModelVersion transfer(ModelVersion base, String name, String classes, String transfer) throws Exception {
		JsonNode done = await(id(submit("""
				{"model": "%s", "dataset": "%s", "baseModel": "%s", "transfer": %s,
				 "hyperparameters": {"epochs": 1, "batchSize": 8, "learningRate": 0.01, "seed": 3, "augment": false},
				 "device": "cpu"}""".formatted(name, shapes(classes, 2), base.ref(), transfer))));
		assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
		ModelVersion version = registry.resolve(done.get("resultModel").asText());
		assertThat(version.lineage().baseModel()).isEqualTo(base.ref());
		assertThat(version.lineage().transfer()).isNotNull();
		return version;
	}

	/**
	 * The new version's layers before {@code from} hold the base's parameters bit for bit; in
	 * {@code [from, to)} every layer with trainable parameters has some that changed. Both are compared by position
	 * in their top-level sequences, which agree up to the cut.
	 */
	private void compare(ModelVersion base, ModelVersion transferred, int from, int to) {
		try (Model before = load(base); Model after = load(transferred)) {
			List<Block> a = body(before.getBlock());
			List<Block> b = new ArrayList<>(after.getBlock().getChildren().values());
			int checked = 0;
			for (int i = 0; i < to; i++) {
				List<Parameter> pa = new ArrayList<>(a.get(i).getParameters().values());
				List<Parameter> pb = new ArrayList<>(b.get(i).getParameters().values());
				assertThat(pb).hasSameSizeAs(pa);
				boolean changed = false;
				for (int p = 0; p < pa.size(); p++) {
					boolean same = Arrays.equals(pa.get(p).getArray().toByteArray(), pb.get(p).getArray().toByteArray());
					if (i < from) {
						assertThat(same).as("layer " + i + " " + pa.get(p).getName() + " is frozen").isTrue();
						checked++;
					}
					else if (pa.get(p).getType() != Parameter.Type.RUNNING_MEAN
							&& pa.get(p).getType() != Parameter.Type.RUNNING_VAR) {
						changed |= !same;
					}
				}
				if (i >= from && !pa.isEmpty()) {
					assertThat(changed).as("layer " + i + " trained").isTrue();
				}
			}
			assertThat(checked > 0 || from == 0).as("some frozen parameters were compared").isTrue();
		}
	}

	/** A base trained from scratch may be GoogLeNet's own block: its layers in the order a transfer saves them. */
	private static List<Block> body(Block network) {
		return io.deepserve.nn.TransferHeads.body(network, "base");
	}

	/** Served over HTTP, and loaded from the registry as a restart would, giving one score per class. */
	private void classifies(ModelVersion version, int classes) throws Exception {
		ResponseEntity<String> answer = Images.classify(http, version.ref(), ShapeImages.png("square", 48, 1),
				MediaType.IMAGE_PNG);
		assertThat(answer.getStatusCode()).as(answer.getBody()).isEqualTo(HttpStatus.OK);
		JsonNode predictions = json.readTree(answer.getBody()).get("predictions");
		assertThat(predictions).hasSize(classes);
		try (Model model = load(version); NDManager manager = model.getNDManager().newSubManager()) {
			NDList out = model.getBlock()
				.forward(new ParameterStore(manager, false), new NDList(manager.ones(new Shape(2, 3, 32, 32))), false);
			assertThat(out.singletonOrThrow().getShape()).isEqualTo(new Shape(2, classes));
		}
	}

	private Model load(ModelVersion version) {
		NewModelVersion spec = new NewModelVersion(version.task(), version.architecture(), null, version.labels(),
				version.preprocessing(), null, null, version.lineage(), null, null);
		return loader.load(spec, version.format(), registry.materialize(version), Device.cpu());
	}

	private String shapes(String classes, int seed) throws Exception {
		ResponseEntity<String> created = http.postForEntity("/api/v1/datasets/samples/shapes?classes=" + classes
				+ "&countPerClass=8&imageSize=32&seed=" + seed, null, String.class);
		assertThat(created.getStatusCode()).as(created.getBody()).isEqualTo(HttpStatus.CREATED);
		return json.readTree(created.getBody()).get("id").asText();
	}

	private void assertRefused(String body, String code, String detail) throws Exception {
		ResponseEntity<String> refused = submit(body);
		assertThat(refused.getStatusCode()).as(refused.getBody()).isEqualTo(HttpStatus.BAD_REQUEST);
		JsonNode problem = json.readTree(refused.getBody());
		assertThat(problem.get("code").asText()).as(refused.getBody()).isEqualTo(code);
		assertThat(problem.get("detail").asText()).contains(detail);
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
