package io.deepserve.training;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.deepserve.training.TrainingJob.EpochResult;
import io.deepserve.training.TrainingLoop.Batch;
import io.deepserve.training.TrainingLoop.Validation;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Mixed-precision training (a job's {@code precision: bf16}): from the same weights and the same batches, bf16
 * steps move the float32 weights as float32 steps do, within bfloat16's rounding, batch-norm statistics included.
 */
class MixedPrecisionTrainingTests {

	private static final int BATCH = 8;

	private static final int STEPS = 3;

	/** The convolution's weight, then its bias, then the batch norm's gamma, beta and statistics, the linear layer. */
	private static final int CONVOLUTION_BIAS = 1;

	@ParameterizedTest
	@ValueSource(booleans = { true, false })
	void bf16StepsMoveTheFloat32WeightsAsFloat32StepsDo(boolean fusedStep) throws Exception {
		List<float[]> start = train(false, fusedStep, 0);
		List<float[]> fp32 = train(false, fusedStep, STEPS);
		List<float[]> bf16 = train(true, fusedStep, STEPS);

		for (int p = 0; p < start.size(); p++) {
			double moved = 0;
			double apart = 0;
			for (int i = 0; i < start.get(p).length; i++) {
				double step = fp32.get(p)[i] - start.get(p)[i];
				moved += step * step;
				double gap = bf16.get(p)[i] - fp32.get(p)[i];
				apart += gap * gap;
			}
			if (p == CONVOLUTION_BIAS) {
				// the batch norm after it cancels it: its gradient is zero but for rounding, in both precisions
				assertThat(moved).isLessThan(1e-9);
				assertThat(apart).isLessThan(1e-6);
				continue;
			}
			assertThat(moved).as("parameter %d moved in float32", p).isPositive();
			// within 5% of the float32 change (0.4-1% here), and not the same: bf16 really ran
			assertThat(Math.sqrt(apart / moved)).as("parameter %d", p).isLessThan(0.05).isPositive();
		}
	}

	/** The parameters' values after {@code steps} steps from a seeded start, batch-norm statistics included. */
	private static List<float[]> train(boolean bf16, boolean fusedStep, int steps) throws Exception {
		Engine.getInstance().setRandomSeed(5);
		SequentialBlock network = new SequentialBlock()
			.add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(16).build())
			.add(BatchNorm.builder().build())
			.add(Activation::relu)
			.add(Pool.globalAvgPool2dBlock())
			.add(Blocks.batchFlattenBlock())
			.add(Linear.builder().setUnits(3).build());
		try (Model model = Model.newInstance("mixed")) {
			model.setBlock(network);
			OptimizerSettings optimizer = new OptimizerSettings("sgd", 0f, Tracker.fixed(0.5f));
			DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
				.optOptimizer(optimizer.djl());
			try (Trainer trainer = model.newTrainer(config)) {
				trainer.initialize(new Shape(BATCH, 3, 16, 16));
				if (steps > 0) {
					OptimizerSettings step = fusedStep ? optimizer
							: new OptimizerSettings("sgd", 0f, OptimizerSettings.NO_CLIPPING, Tracker.fixed(0.5f),
									false);
					TrainingLoop.run(trainer, step, bf16, new Images(steps), 1, 0, new SilentListener());
				}
				List<float[]> values = new ArrayList<>();
				for (Pair<String, Parameter> parameter : network.getParameters()) {
					values.add(parameter.getValue().getArray().toFloatArray());
				}
				return values;
			}
		}
	}

	/** Seeded random images whose class is the channel with the largest mean, the same in every run. */
	private static final class Images implements TrainingLoop.Epochs {

		private final int batches;

		private final Random random = new Random(11);

		Images(int batches) {
			this.batches = batches;
		}

		@Override
		public int batches() {
			return batches;
		}

		@Override
		public void startEpoch() {
		}

		@Override
		public Batch batch(NDManager scope, int index) {
			float[] data = new float[BATCH * 3 * 16 * 16];
			float[] labels = new float[BATCH];
			for (int n = 0; n < BATCH; n++) {
				int label = random.nextInt(3);
				labels[n] = label;
				for (int i = 0; i < 3 * 16 * 16; i++) {
					data[n * 3 * 16 * 16 + i] = (float) random.nextGaussian() + (i / 256 == label ? 1f : 0f);
				}
			}
			return new Batch(new NDList(scope.create(data, new Shape(BATCH, 3, 16, 16))),
					new NDList(scope.create(labels)), BATCH);
		}

		@Override
		public Validation validate(Trainer trainer, int epoch, double trainLoss) {
			return new Validation(new EpochResult(epoch, trainLoss, 0, null, null), -trainLoss);
		}

		@Override
		public void keep(Trainer trainer) {
		}

	}

}
