package io.deepserve.nn;

import java.util.Map;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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
			// 96 pixels still leaves 4a and 4d a 6x6 map, large enough for the paper's 5x5 auxiliary pool
			Shape input = new Shape(2, 3, 96, 96);
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

	@Test
	void trainsItsAuxiliaryHeadsWeightedByPointThree() {
		Architectures architectures = new Architectures();
		Loss loss = architectures.classificationLoss("googlenet");
		try (Model model = Model.newInstance("googlenet")) {
			GoogLeNet net = (GoogLeNet) architectures.newClassifier("googlenet", 3);
			model.setBlock(net);
			try (Trainer trainer = model.newTrainer(new DefaultTrainingConfig(loss))) {
				trainer.initialize(new Shape(2, 3, 32, 32));
				NDManager manager = trainer.getManager();
				NDList images = new NDList(manager.randomUniform(0, 1, new Shape(2, 3, 32, 32)));
				NDList labels = new NDList(manager.create(new float[] { 0, 2 }));

				try (GradientCollector collector = trainer.newGradientCollector()) {
					NDList predictions = trainer.forward(images, labels);
					float total = loss.evaluate(labels, predictions).getFloat();
					float main = crossEntropy(labels, predictions.get(0));
					float aux1 = crossEntropy(labels, predictions.get(1));
					float aux2 = crossEntropy(labels, predictions.get(2));

					assertThat(total).isCloseTo(main + 0.3f * (aux1 + aux2), within(1e-4f));
					collector.backward(loss.evaluate(labels, predictions));
				}
				for (Block head : net.auxiliaryHeads()) {
					NDArray gradient = head.getParameters().valueAt(0).getArray().getGradient();
					assertThat(gradient.abs().sum().getFloat()).isPositive();
				}
			}
		}
	}

	private static float crossEntropy(NDList labels, NDArray logits) {
		return Loss.softmaxCrossEntropyLoss().evaluate(labels, new NDList(logits)).getFloat();
	}

}
