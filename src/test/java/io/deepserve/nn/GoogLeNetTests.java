package io.deepserve.nn;

import java.util.Map;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class GoogLeNetTests {

	@Test
	void stagesHaveThePapersShapesAt224() {
		Map<String, Shape> stages = new GoogLeNet(1000).stageOutputShapes(new Shape(1, 3, 224, 224));

		assertThat(stages.get("3a")).isEqualTo(new Shape(1, 256, 28, 28));
		assertThat(stages.get("3b")).isEqualTo(new Shape(1, 480, 28, 28));
		assertThat(stages.get("4a")).isEqualTo(new Shape(1, 512, 14, 14));
		assertThat(stages.get("4d")).isEqualTo(new Shape(1, 528, 14, 14));
		assertThat(stages.get("4e")).isEqualTo(new Shape(1, 832, 14, 14));
		assertThat(stages.get("5b")).isEqualTo(new Shape(1, 1024, 7, 7));
		assertThat(stages.get("head")).isEqualTo(new Shape(1, 1000));
	}

	@Test
	void auxiliaryHeadsHaveThePapersParameterCount() {
		GoogLeNet net = new GoogLeNet(1000);
		try (NDManager manager = NDManager.newBaseManager()) {
			ParameterCounter.shape(net, manager, new Shape(1, 3, 224, 224));

			long aux = net.auxiliaryHeads().stream().mapToLong(ParameterCounter::count).sum();
			assertThat(aux).isEqualTo(6_379_728);
			assertThat(ParameterCounter.count(net)).isEqualTo(6_998_552 + 6_379_728);
		}
	}

	@Test
	void trainingGivesTheAuxiliaryOutputsAndInferenceDoesNot() {
		GoogLeNet net = new GoogLeNet(5);
		try (NDManager manager = NDManager.newBaseManager()) {
			Shape input = new Shape(2, 3, 224, 224);
			net.initialize(manager, DataType.FLOAT32, input);
			ParameterStore parameters = new ParameterStore(manager, false);
			NDList images = new NDList(manager.randomUniform(0, 1, input));

			NDList training = net.forward(parameters, images, true);
			NDList inference = net.forward(parameters, images, false);

			assertThat(training.getShapes()).containsExactly(new Shape(2, 5), new Shape(2, 5), new Shape(2, 5));
			assertThat(inference.getShapes()).containsExactly(new Shape(2, 5));
			assertThat(net.getOutputShapes(new Shape[] { input })).containsExactly(new Shape(2, 5));
		}
	}

}
