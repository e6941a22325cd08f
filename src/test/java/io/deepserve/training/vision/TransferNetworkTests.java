package io.deepserve.training.vision;

import java.util.List;
import java.util.Set;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

import io.deepserve.nn.Architectures;
import io.deepserve.nn.Stage;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The network a transfer job trains on a GoogLeNet base: auxiliary heads for the new classes where the layers they
 * read train, none otherwise, and never in an inference forward or in what is saved.
 */
class TransferNetworkTests {

	private static final int CLASSES = 4;

	Architectures architectures = new Architectures();

	@Test
	void aFineTunedGoogLeNetTrainsWithNewAuxiliaryHeadsAndSavesNone() {
		for (String name : List.of("googlenet", "googlenet_torchvision")) {
			assertThat(outputs(name, false, null, null, true)).as(name + " fine-tuned whole, training").isEqualTo(3);
			assertThat(outputs(name, false, 2, null, true)).as(name + " inception4 and 5 train").isEqualTo(3);
			assertThat(outputs(name, false, null, null, false)).as(name + " inference").isEqualTo(1);
			assertThat(outputs(name, false, 1, null, true)).as(name + " only inception5 trains").isEqualTo(1);
			assertThat(outputs(name, true, null, null, true)).as(name + " feature extraction").isEqualTo(1);
			assertThat(outputs(name, false, null, "inception3", true)).as(name + " cut before 4a").isEqualTo(1);
		}
		assertThat(outputs("resnet18", false, null, null, true)).isEqualTo(1);
	}

	/** The number of arrays a forward of the transfer network gives; also checks the saved network's output. */
	private int outputs(String architecture, boolean freezeAll, Integer trainableStages, String cutAt,
			boolean training) {
		try (NDManager manager = NDManager.newBaseManager()) {
			Block base = architectures.newClassifier(architecture, 3);
			base.initialize(manager, DataType.FLOAT32, new Shape(2, 3, 32, 32));
			List<Stage> stages = architectures.stages(architecture, cutAt);
			Stage cut = cutAt == null ? null : stages.get(stages.size() - 1);
			ImageClassifierTrainer.Network network = ImageClassifierTrainer.transfer(
					new ImageClassifierTrainer.Base(base, architecture, false, freezeAll, 0.1f, null, stages, cut,
							trainableStages, architectures.auxiliaryTaps(architecture), null, Set.of()),
					CLASSES);
			network.training().initialize(manager, DataType.FLOAT32, new Shape(2, 3, 32, 32));
			NDList input = new NDList(manager.randomUniform(0, 1, new Shape(2, 3, 32, 32)));
			NDList out = network.training().forward(new ParameterStore(manager, false), input, training);
			assertThat(out.head().getShape()).isEqualTo(new Shape(2, CLASSES));
			out.forEach(array -> assertThat(array.getShape()).isEqualTo(new Shape(2, CLASSES)));
			NDList saved = network.saved().forward(new ParameterStore(manager, false), input, false);
			assertThat(saved).hasSize(1);
			assertThat(network.loss().getName()).isEqualTo("SoftmaxCrossEntropyLoss");
			return out.size();
		}
	}

}
