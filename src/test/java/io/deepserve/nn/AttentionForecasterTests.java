package io.deepserve.nn;

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
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The attention forecasters: their shapes, their parameter counts against PyTorch's, and that they learn. */
class AttentionForecasterTests {

	Architectures architectures = new Architectures();

	@ParameterizedTest
	@ValueSource(strings = { Architectures.SEQ2SEQ_ATTENTION, Architectures.TRANSFORMER })
	void predictsTheWholeHorizonFromWindowsOfAnyLength(String name) {
		Block forecaster = architectures.newForecaster(name, 3, 16, 2, 0.1f, 5);
		try (NDManager manager = NDManager.newBaseManager()) {
			forecaster.initialize(manager, DataType.FLOAT32, new Shape(4, 12, 3));
			for (int window : new int[] { 12, 7 }) {
				Shape windows = new Shape(4, window, 3);
				NDList forecast = forecaster.forward(new ParameterStore(manager, false),
						new NDList(manager.randomNormal(windows)), true);
				assertThat(forecast.singletonOrThrow().getShape()).isEqualTo(new Shape(4, 5));
				assertThat(forecaster.getOutputShapes(new Shape[] { windows })).containsExactly(new Shape(4, 5));
			}
		}
	}

	/**
	 * PyTorch's counts: {@code nn.TransformerEncoderLayer(d, heads, 4 * d)} holds 12d^2 + 13d (in_proj 3d^2 + 3d,
	 * out_proj d^2 + d, two linears 8d^2 + 5d, two layer norms 4d); the input projection and the head are linears.
	 */
	@Test
	void theTransformerCountsLikePyTorch() {
		long d = 32;
		long features = 3;
		long horizon = 5;
		long layers = 2;
		long expected = (features * d + d) + layers * (12 * d * d + 13 * d) + (d * horizon + horizon);
		assertThat(architectures.forecasterParameterCount(Architectures.TRANSFORMER, 3, 32, 2, 5)).isEqualTo(expected);
	}

	/**
	 * Two LSTMs as PyTorch counts them (4h(in + h) + 8h per layer), the decoder's reading one value; the attention's
	 * h x h score matrix, the h x 2h combination with bias, and the h -> 1 output. The horizon adds nothing.
	 */
	@Test
	void theSeq2SeqCountsLikePyTorchWhateverTheHorizon() {
		long h = 16;
		long features = 3;
		long upper = 4 * h * (h + h) + 8 * h;
		long encoder = 4 * h * (features + h) + 8 * h + upper;
		long decoder = 4 * h * (1 + h) + 8 * h + upper;
		long attention = h * h + (2 * h * h + h) + (h + 1);
		long expected = encoder + decoder + attention;
		assertThat(architectures.forecasterParameterCount(Architectures.SEQ2SEQ_ATTENTION, 3, 16, 2, 1))
			.isEqualTo(expected);
		assertThat(architectures.forecasterParameterCount(Architectures.SEQ2SEQ_ATTENTION, 3, 16, 2, 7))
			.isEqualTo(expected);
	}

	/**
	 * Sixty Adam steps on windows of a sine wave bring the loss well below its start, at horizon 1 (the default a
	 * new user gets, where the seq2seq decoder emits a single step) as at 3.
	 */
	@ParameterizedTest
	@CsvSource({ Architectures.SEQ2SEQ_ATTENTION + ", 3", Architectures.TRANSFORMER + ", 3",
			Architectures.SEQ2SEQ_ATTENTION + ", 1", Architectures.TRANSFORMER + ", 1" })
	void learnsASineWave(String name, int horizon) {
		int window = 12;
		int n = 64;
		float[] inputs = new float[n * window];
		float[] targets = new float[n * horizon];
		for (int i = 0; i < n; i++) {
			for (int t = 0; t < window + horizon; t++) {
				float value = (float) Math.sin((i + t) / 3.0);
				if (t < window) {
					inputs[i * window + t] = value;
				}
				else {
					targets[i * horizon + t - window] = value;
				}
			}
		}
		try (Model model = Model.newInstance("sine")) {
			model.setBlock(architectures.newForecaster(name, 1, 16, 1, 0, horizon));
			DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.l2Loss())
				.optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.01f)).build());
			try (Trainer trainer = model.newTrainer(config)) {
				trainer.initialize(new Shape(n, window, 1));
				NDManager manager = trainer.getManager();
				NDArray x = manager.create(inputs, new Shape(n, window, 1));
				NDArray y = manager.create(targets, new Shape(n, horizon));
				float first = 0;
				float last = 0;
				for (int step = 0; step < 60; step++) {
					try (GradientCollector collector = trainer.newGradientCollector()) {
						NDArray loss = trainer.getLoss()
							.evaluate(new NDList(y), trainer.forward(new NDList(x)));
						collector.backward(loss);
						last = loss.getFloat();
						first = step == 0 ? last : first;
					}
					trainer.step();
				}
				assertThat(last).as("loss %s -> %s", first, last).isLessThan(first / 4);
			}
		}
	}

}
