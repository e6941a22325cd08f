package io.deepserve.nn;

import java.util.ArrayList;
import java.util.List;

import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import org.junit.jupiter.api.Test;

import io.deepserve.error.DeepserveException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every image architecture's named stages, recorded where it is built, against the layers it actually has. */
class StagesTests {

	Architectures architectures = new Architectures();

	@Test
	void everyImageArchitectureNamesStagesThatCoverItsConvolutionsInOrder() {
		List<ArchitectureInfo> images = architectures.list().stream().filter(ArchitectureInfo::classifiesImages).toList();
		assertThat(images).hasSize(22);
		for (ArchitectureInfo info : images) {
			List<Stage> stages = architectures.stages(info.name());
			List<Block> body = TransferHeads.body(architectures.newClassifier(info.name(), 5), info.name());
			assertThat(stages).as(info.name()).hasSizeGreaterThanOrEqualTo(4);
			assertThat(info.stages()).as(info.name()).isEqualTo(stages.stream().map(Stage::name).toList());
			assertThat(stages.get(0).from()).as(info.name() + " starts at the input").isZero();
			for (int i = 1; i < stages.size(); i++) {
				assertThat(stages.get(i).from()).as(info.name() + " " + stages.get(i) + " follows on")
					.isEqualTo(stages.get(i - 1).to());
			}
			Stage last = stages.get(stages.size() - 1);
			assertThat(stages).as(info.name()).allSatisfy(stage -> assertThat(stage.to()).isGreaterThan(stage.from()));
			assertThat(last.to()).as(info.name() + " ends before its pooling").isLessThan(body.size());
			for (int i = last.to(); i < body.size(); i++) {
				assertThat(contains(body.get(i), Conv2d.class)).as(info.name() + " layer " + i + " after the stages")
					.isFalse();
			}
			for (Stage stage : stages) {
				assertThat(body.subList(stage.from(), stage.to())).as(info.name() + " " + stage + " convolves")
					.anySatisfy(layer -> assertThat(contains(layer, Conv2d.class)).isTrue());
			}
		}
	}

	@Test
	void namesFollowThePapersAndTorchvision() {
		assertThat(names("resnet50")).containsExactly("stem", "layer1", "layer2", "layer3", "layer4");
		assertThat(names("vgg16_bn")).containsExactly("conv1", "conv2", "conv3", "conv4", "conv5");
		assertThat(names("alexnet")).containsExactly("conv1", "conv2", "conv3", "conv4", "conv5");
		assertThat(names("densenet121")).containsExactly("stem", "denseblock1", "transition1", "denseblock2",
				"transition2", "denseblock3", "transition3", "denseblock4");
		assertThat(names("mobilenet_v2")).containsExactly("stem", "bottleneck1", "bottleneck2", "bottleneck3",
				"bottleneck4", "bottleneck5", "bottleneck6", "bottleneck7", "conv_last");
		assertThat(names("googlenet")).containsExactly("stem", "inception3", "inception4", "inception5");
		assertThat(names("googlenet_torchvision")).containsExactly("stem", "inception3", "inception4", "inception5");
		// resnet18's layer4 is its last two residual blocks; densenet121's third block has 24 layers
		assertThat(architectures.stages("resnet18").get(4)).isEqualTo(new Stage("layer4", 10, 12));
		Stage block3 = architectures.stages("densenet121").get(5);
		assertThat(block3.to() - block3.from()).isEqualTo(24);
		// mobilenet_v2's rows repeat 1, 2, 3, 4, 3, 3, 1 times
		assertThat(architectures.stages("mobilenet_v2").subList(1, 8))
			.extracting(stage -> stage.to() - stage.from())
			.containsExactly(1, 2, 3, 4, 3, 3, 1);
	}

	@Test
	void googLeNetsAuxiliaryHeadsReadInception4aAnd4d() {
		for (String name : List.of("googlenet", "googlenet_torchvision")) {
			Stage inception4 = architectures.stages(name).get(2);
			assertThat(architectures.auxiliaryTaps(name)).as(name)
				.containsExactly(inception4.from(), inception4.from() + 3);
		}
		assertThat(architectures.auxiliaryTaps("resnet18")).isEmpty();
	}

	@Test
	void aCutNetworkEndsAtItsStageThenPoolsIntoItsHead() {
		Block cut = architectures.newTransferClassifier("resnet18", 3, "layer2");
		List<Block> layers = new ArrayList<>(cut.getChildren().values());
		assertThat(layers).hasSize(architectures.stages("resnet18").get(2).to() + 2);
		assertThat(layers.get(layers.size() - 1)).isInstanceOf(Linear.class);
		assertThat(contains(layers.get(layers.size() - 2), Conv2d.class)).isFalse();

		Block whole = architectures.newTransferClassifier("googlenet", 3, null);
		assertThat(whole.getChildren().size()).as("GoogLeNet as one sequence, without auxiliary heads")
			.isEqualTo(new GoogLeNet(3).sequence().size());
		assertThatThrownBy(() -> architectures.newTransferClassifier("resnet18", 3, "layer9"))
			.isInstanceOfSatisfying(DeepserveException.class, ex -> {
				assertThat(ex.code()).isEqualTo("unknown_stage");
				assertThat(ex.getMessage()).contains("stem, layer1, layer2, layer3, layer4");
			});
	}

	private List<String> names(String architecture) {
		return architectures.require(architecture).stages();
	}

	private static boolean contains(Block block, Class<? extends Block> type) {
		return type.isInstance(block)
				|| block.getChildren().values().stream().anyMatch(child -> contains(child, type));
	}

}
