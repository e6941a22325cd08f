package io.deepserve.nn;

import java.util.function.Function;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The lecture's worked numbers through the code training runs: the classification loss {@link Architectures} gives
 * the training loop, and DJL's activations on the PyTorch engine, as the networks use them. Expected values are
 * worked by hand (to four places) from the definitions, not computed here.
 */
class WorkedNumbersTests {

	Architectures architectures = new Architectures();

	/** Scores whose softmax gives the true class 0.3 (with 0.5 and 0.2 elsewhere): the loss is -ln 0.3 = 1.204. */
	@Test
	void crossEntropyOfTheTrueClassAtProbabilityPointThree() {
		try (NDManager manager = NDManager.newBaseManager()) {
			NDArray logits = manager.create(new float[] { (float) Math.log(0.3), (float) Math.log(0.5),
					(float) Math.log(0.2) }, new ai.djl.ndarray.types.Shape(1, 3));
			NDArray label = manager.create(new float[] { 0 });

			float loss = architectures.classificationLoss("resnet18")
				.evaluate(new NDList(label), new NDList(logits))
				.getFloat();

			assertThat(loss).isCloseTo(1.204f, within(0.0005f));
		}
	}

	@Test
	void crossEntropyLooksOnlyAtTheTrueClass() {
		try (NDManager manager = NDManager.newBaseManager()) {
			// probabilities (0.3, 0.1, 0.6): the same 0.3 for the true class, the rest spread differently
			NDArray logits = manager.create(new float[] { (float) Math.log(0.3), (float) Math.log(0.1),
					(float) Math.log(0.6) }, new ai.djl.ndarray.types.Shape(1, 3));

			float loss = architectures.classificationLoss("alexnet-paper")
				.evaluate(new NDList(manager.create(new float[] { 0 })), new NDList(logits))
				.getFloat();

			assertThat(loss).isCloseTo(1.204f, within(0.0005f));
		}
	}

	@ParameterizedTest(name = "at {0}: relu {1}, sigmoid {2}, tanh {3}, leaky relu {4}, elu {5}")
	@CsvSource({ "-2, 0, 0.1192, -0.9640, -0.02, -0.8647", "-1, 0, 0.2689, -0.7616, -0.01, -0.6321",
			"0, 0, 0.5, 0, 0, 0", "0.5, 0.5, 0.6225, 0.4621, 0.5, 0.5", "1, 1, 0.7311, 0.7616, 1, 1",
			"2, 2, 0.8808, 0.9640, 2, 2" })
	void activations(float x, float relu, float sigmoid, float tanh, float leakyRelu, float elu) {
		assertThat(apply(Activation::relu, x)).isCloseTo(relu, within(0.0001f));
		assertThat(apply(Activation::sigmoid, x)).isCloseTo(sigmoid, within(0.0001f));
		assertThat(apply(Activation::tanh, x)).isCloseTo(tanh, within(0.0001f));
		assertThat(apply(a -> Activation.leakyRelu(a, 0.01f), x)).isCloseTo(leakyRelu, within(0.0001f));
		assertThat(apply(a -> Activation.elu(a, 1f), x)).isCloseTo(elu, within(0.0001f));
	}

	private static float apply(Function<NDArray, NDArray> activation, float x) {
		try (NDManager manager = NDManager.newBaseManager()) {
			return activation.apply(manager.create(new float[] { x })).getFloat(0);
		}
	}

}
