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
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.tracker.Tracker;
import org.junit.jupiter.api.Test;

import io.deepserve.training.TrainingJob.EpochResult;
import io.deepserve.training.TrainingJob.Progress;
import io.deepserve.training.TrainingLoop.Batch;
import io.deepserve.training.TrainingLoop.Validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The one training loop, on a small network: feature extraction, best epoch, early stopping, cancel, progress. */
class TrainingLoopTests {

	/** Few features and few images a batch: the head's gradients then often sum to exactly zero. */
	private static final int FEATURES = 3;

	private static final int BATCH = 2;

	@Test
	void aHeadTrainedAloneOnAFrozenRandomBaseNeverTripsDjlsGradientCheck() throws Exception {
		for (int seed = 0; seed < 16; seed++) {
			Recorder listener = new Recorder();
			TrainingLoop.Best best = train(seed, true, new Scores(1, 2, 3), 3, 0, listener);
			assertThat(best.epoch()).as("seed " + seed).isEqualTo(3);
			assertThat(listener.epochs).hasSize(3);
		}
	}

	@Test
	void keepsTheBestEpochAndStopsOncePatienceRunsOut() throws Exception {
		Recorder listener = new Recorder();
		Scores scores = new Scores(0.5, 0.7, 0.6, 0.65, 0.9);
		TrainingLoop.Best best = train(1, false, scores, 5, 2, listener);
		assertThat(best).isEqualTo(new TrainingLoop.Best(2, 0.7));
		assertThat(scores.kept).containsExactly(1, 2);
		assertThat(listener.epochs).extracting(EpochResult::epoch).containsExactly(1, 2, 3, 4);
		Progress last = listener.progress.get(listener.progress.size() - 1);
		assertThat(last.epoch()).isEqualTo(4);
		assertThat(last.batch()).isEqualTo(last.batches());
		assertThat(last.fraction()).isEqualTo(4.0 / 5);
	}

	@Test
	void anEpochThatNeverScoresIsNeverTheBest() throws Exception {
		TrainingLoop.Best best = train(1, false, new Scores(Double.NaN, Double.NaN), 2, 0, new Recorder());
		assertThat(best.epoch()).isZero();
	}

	@Test
	void stopsAtTheNextBatchOnceCancelled() {
		Recorder listener = new Recorder();
		listener.cancelAfterBatches = 3;
		assertThatThrownBy(() -> train(1, false, new Scores(1, 2), 2, 0, listener))
			.isInstanceOf(JobCancelledException.class);
		assertThat(listener.batches).isEqualTo(3);
	}

	@Test
	void failsAtTheFirstBatchWhoseLossIsNotFiniteAndNamesIt() {
		Recorder listener = new Recorder();
		Scores scores = new Scores(1, 2);
		scores.poisonedBatch = 6; // the second epoch's second batch
		assertThatThrownBy(() -> train(1, false, scores, 2, 0, listener))
			.isInstanceOf(TrainingDivergedException.class)
			.hasMessageContaining("epoch 2, batch 2 is NaN");
		assertThat(listener.batches).as("no step or report for the poisoned batch").isEqualTo(5);
		assertThat(listener.epochs).hasSize(1);
	}

	/**
	 * Four batches of random two-class images through a network of a base and a linear head, over as many epochs as
	 * {@code scores} has; only the head trains when {@code frozenBase}.
	 */
	private static TrainingLoop.Best train(int seed, boolean frozenBase, Scores scores, int epochs, int patience,
			JobListener listener) throws Exception {
		Engine.getInstance().setRandomSeed(seed);
		SequentialBlock base = new SequentialBlock().add(Linear.builder().setUnits(FEATURES).build())
			.add(Activation::relu);
		SequentialBlock network = new SequentialBlock().add(base).add(Linear.builder().setUnits(2).build());
		try (Model model = Model.newInstance("loop")) {
			model.setBlock(network);
			OptimizerSettings optimizer = new OptimizerSettings("sgd", 0f, Tracker.fixed(0.1f));
			DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
				.optOptimizer(optimizer.djl());
			try (Trainer trainer = model.newTrainer(config)) {
				trainer.initialize(new Shape(BATCH, 5));
				base.freezeParameters(frozenBase);
				scores.random = new Random(seed);
				return TrainingLoop.run(trainer, optimizer, scores, epochs, patience, listener);
			}
		}
	}

	/** Random batches; each epoch's validation score is the next of those given. */
	private static final class Scores implements TrainingLoop.Epochs {

		private final double[] scores;

		private final List<Integer> kept = new ArrayList<>();

		private Random random;

		private int lastEpoch;

		/** The batch (counted from 1 over all epochs) whose first value is NaN; 0 for none. */
		private int poisonedBatch;

		private int served;

		Scores(double... scores) {
			this.scores = scores;
		}

		@Override
		public int batches() {
			return 4;
		}

		@Override
		public void startEpoch() {
		}

		@Override
		public Batch batch(NDManager scope, int index) {
			float[] data = new float[BATCH * 5];
			for (int i = 0; i < data.length; i++) {
				data[i] = (float) random.nextGaussian();
			}
			if (++served == poisonedBatch) {
				data[0] = Float.NaN;
			}
			float[] labels = new float[BATCH];
			for (int i = 0; i < labels.length; i++) {
				labels[i] = random.nextInt(2);
			}
			return new Batch(new NDList(scope.create(data, new Shape(BATCH, 5))), new NDList(scope.create(labels)),
					BATCH);
		}

		@Override
		public Validation validate(Trainer trainer, int epoch, double trainLoss) {
			lastEpoch = epoch;
			return new Validation(new EpochResult(epoch, trainLoss, 0, null, null), scores[epoch - 1]);
		}

		@Override
		public void keep(Trainer trainer) {
			kept.add(lastEpoch);
		}

	}

	private static final class Recorder implements JobListener {

		private final List<Progress> progress = new ArrayList<>();

		private final List<EpochResult> epochs = new ArrayList<>();

		private int batches;

		private int cancelAfterBatches = Integer.MAX_VALUE;

		@Override
		public void progress(Progress progress) {
			this.progress.add(progress);
		}

		@Override
		public void epoch(EpochResult result) {
			epochs.add(result);
		}

		@Override
		public void batch(int samples, long nanos, double loss) {
			batches++;
		}

		@Override
		public boolean cancelRequested() {
			return batches >= cancelAfterBatches;
		}

	}

}
