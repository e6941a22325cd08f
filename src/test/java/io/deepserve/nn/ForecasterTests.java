package io.deepserve.nn;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class ForecasterTests {

	Architectures architectures = new Architectures();

	@ParameterizedTest
	@ValueSource(strings = { "lstm", "gru", "rnn" })
	void predictsTheWholeHorizonFromAWindow(String cell) {
		Block forecaster = architectures.newForecaster(cell, 3, 16, 2, 0.1f, 5);
		try (NDManager manager = NDManager.newBaseManager()) {
			Shape windows = new Shape(4, 12, 3);
			forecaster.initialize(manager, DataType.FLOAT32, windows);
			NDList input = new NDList(manager.randomNormal(windows));

			NDList forecast = forecaster.forward(new ParameterStore(manager, false), input, true);

			assertThat(forecast.singletonOrThrow().getShape()).isEqualTo(new Shape(4, 5));
			assertThat(forecaster.getOutputShapes(new Shape[] { windows })).containsExactly(new Shape(4, 5));
		}
	}

	/** PyTorch's count per layer: gates * hidden * (inputs + hidden) weights and 2 * gates * hidden biases. */
	@ParameterizedTest
	@CsvSource({ "lstm, 4", "gru, 3", "rnn, 1" })
	void countsLikePyTorch(String cell, int gates) {
		long h = Architectures.DEFAULT_HIDDEN_SIZE;
		long first = gates * h * (Architectures.DEFAULT_FEATURES + h) + 2 * gates * h;
		long second = gates * h * (h + h) + 2 * gates * h;
		long head = h * Architectures.DEFAULT_HORIZON + Architectures.DEFAULT_HORIZON;

		long count = architectures.forecasterParameterCount(cell, Architectures.DEFAULT_FEATURES,
				Architectures.DEFAULT_HIDDEN_SIZE, Architectures.DEFAULT_LAYERS, Architectures.DEFAULT_HORIZON);

		assertThat(count).isEqualTo(first + second + head);
	}

}
