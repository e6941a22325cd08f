package io.deepserve.training;

import java.io.IOException;
import java.lang.reflect.Field;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.training.LocalParameterServer;
import ai.djl.training.Trainer;

import io.deepserve.nn.ReducedPrecision;
import io.deepserve.training.TrainingJob.EpochResult;
import io.deepserve.training.TrainingJob.Progress;

/**
 * The loop every task trains with (EasyTrain cannot be cancelled): a cancel check between batches, progress with an
 * ETA, validation after each epoch, the best epoch kept, early stopping once validation stops improving. A task
 * brings its batches and its validation as {@link Epochs}.
 */
public final class TrainingLoop {

	/** One job's data and validation, as a task's trainer sees them. */
	public interface Epochs {

		/** Training batches in every epoch. */
		int batches();

		/** Before each epoch's batches, e.g. to shuffle the training samples. */
		void startEpoch();

		/** The training batch at {@code index} of this epoch, its arrays made in {@code scope}. */
		Batch batch(NDManager scope, int index);

		/** After each training step, with the batch's predictions. */
		default void trained(Batch batch, NDList predictions) {
		}

		/** Validates the network after an epoch whose training batches had a mean loss of {@code trainLoss}. */
		Validation validate(Trainer trainer, int epoch, double trainLoss) throws IOException;

		/** The epoch just validated is the best so far: save what the task keeps of it. */
		void keep(Trainer trainer) throws IOException;

	}

	public record Batch(NDList data, NDList labels, int size) {
	}

	/** @param score higher is better; NaN never is */
	public record Validation(EpochResult result, double score) {
	}

	/** @param epoch the best epoch, 0 when none scored (every score NaN) */
	public record Best(int epoch, double score) {
	}

	private TrainingLoop() {
	}

	/**
	 * Trains {@code epochs} epochs, fewer when {@code patience} epochs in a row (0: never) do not beat the best.
	 * @param optimizer the optimizer {@code trainer} was configured with: {@link FusedOptimizer} steps with it in
	 * one native call per learning-rate group, DJL's {@code trainer.step()} where that cannot load or run
	 * @throws JobCancelledException between batches, once the listener asks for it
	 * @throws TrainingDivergedException at the first batch whose loss is NaN or infinite, before its step
	 */
	public static Best run(Trainer trainer, OptimizerSettings optimizer, Epochs task, int epochs, int patience,
			JobListener listener) throws IOException {
		return run(trainer, optimizer, false, task, epochs, patience, listener);
	}

	/**
	 * The same, in mixed precision with {@code bf16}: each training forward and backward in bfloat16 through
	 * {@link Bf16ParameterStore}, the loss and the optimizer step in float32 on float32 weights. bfloat16 has
	 * float32's exponent range, so the loss needs no scaling.
	 */
	public static Best run(Trainer trainer, OptimizerSettings optimizer, boolean bf16, Epochs task, int epochs,
			int patience, JobListener listener) throws IOException {
		try (FusedOptimizer fused = optimizer.fused() ? FusedOptimizer.open(trainer, optimizer) : null;
				Mixed mixed = bf16 ? Mixed.open(trainer, optimizer) : null) {
			return run(trainer, fused, mixed, task, epochs, patience, listener);
		}
	}

	static Best run(Trainer trainer, FusedOptimizer fused, Epochs task, int epochs, int patience,
			JobListener listener) throws IOException {
		return run(trainer, fused, null, task, epochs, patience, listener);
	}

	/**
	 * @param fused null: DJL's optimizer steps
	 * @param mixed null: float32 throughout
	 */
	private static Best run(Trainer trainer, FusedOptimizer fused, Mixed mixed, Epochs task, int epochs,
			int patience, JobListener listener) throws IOException {
		skipGradientCheck(trainer);
		int batches = task.batches();
		long total = (long) batches * epochs;
		long started = System.nanoTime();
		Best best = new Best(0, Double.NEGATIVE_INFINITY);
		int stale = 0;
		for (int epoch = 1; epoch <= epochs; epoch++) {
			task.startEpoch();
			double lossSum = 0;
			long seen = 0;
			for (int b = 0; b < batches; b++) {
				if (listener.cancelRequested()) {
					throw new JobCancelledException();
				}
				long batchStarted = System.nanoTime();
				try (NDManager scope = trainer.getManager().newSubManager()) {
					Batch batch = task.batch(scope, b);
					NDList predictions;
					NDArray loss;
					try (GradientCollector collector = trainer.newGradientCollector()) {
						predictions = mixed == null ? trainer.forward(batch.data()) : mixed.forward(scope, batch.data());
						loss = trainer.getLoss().evaluate(batch.labels(), predictions);
						collector.backward(loss);
					}
					float batchLoss = loss.getFloat();
					if (!Float.isFinite(batchLoss)) {
						throw new TrainingDivergedException(epoch, b + 1, batchLoss);
					}
					if (fused == null || !fused.step()) {
						if (mixed == null) {
							trainer.step();
						}
						else {
							mixed.step();
						}
					}
					lossSum += batchLoss * batch.size();
					seen += batch.size();
					listener.batch(batch.size(), System.nanoTime() - batchStarted, batchLoss);
					task.trained(batch, predictions);
				}
				long done = (long) (epoch - 1) * batches + b + 1;
				double elapsed = (System.nanoTime() - started) / 1e9;
				listener.progress(new Progress(epoch, epochs, b + 1, batches, (double) done / total,
						Math.round(elapsed / done * (total - done))));
			}
			Validation validation = task.validate(trainer, epoch, lossSum / seen);
			listener.epoch(validation.result());
			if (validation.score() > best.score()) {
				best = new Best(epoch, validation.score());
				stale = 0;
				task.keep(trainer);
			}
			else if (patience > 0 && ++stale >= patience) {
				break;
			}
		}
		return best;
	}

	/** The bf16 side of a mixed-precision run: its casts and the parameter store its forwards read. */
	private record Mixed(Trainer trainer, ReducedPrecision casts, Bf16ParameterStore store) implements AutoCloseable {

		static Mixed open(Trainer trainer, OptimizerSettings optimizer) {
			ReducedPrecision casts = ReducedPrecision.open(trainer.getManager());
			Bf16ParameterStore store = new Bf16ParameterStore(trainer.getManager(), casts);
			// only for DJL's own step, where the fused one cannot run: the trainer's store has not seen the forwards
			store.setParameterServer(new LocalParameterServer(optimizer.djl()), trainer.getDevices());
			return new Mixed(trainer, casts, store);
		}

		/** bf16 inputs through bf16 weights, the outputs back in float32 for the loss. */
		NDList forward(NDManager scope, NDList data) {
			store.scope(scope);
			NDList inputs = new NDList(data.size());
			data.forEach(x -> inputs.add(casts.toBfloat16Tracked(x, scope)));
			NDList outputs = trainer.getModel().getBlock().forward(store, inputs, true);
			NDList predictions = new NDList(outputs.size());
			outputs.forEach(y -> predictions.add(casts.toFloat32Tracked(y, scope)));
			return predictions;
		}

		void step() {
			store.updateAllParameters();
		}

		@Override
		public void close() {
			casts.close();
		}

	}

	/**
	 * DJL checks before the first step that the gradients' signed sum is not zero, and a head trained alone under
	 * cross-entropy has gradients that sum to zero up to rounding; this loop always calls backward, so the check
	 * only ever fails falsely (issue 21). DJL has no switch for it.
	 */
	private static void skipGradientCheck(Trainer trainer) {
		try {
			Field checked = Trainer.class.getDeclaredField("gradientsChecked");
			checked.setAccessible(true);
			checked.setBoolean(trainer, true);
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException("this DJL version's Trainer has no gradient check to skip", ex);
		}
	}

}
