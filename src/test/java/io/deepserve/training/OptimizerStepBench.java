package io.deepserve.training;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;

import io.deepserve.nn.Architectures;

/**
 * The optimizer step alone, DJL's against the fused one, on an image classifier trained on random batches in
 * process: two copies of the network, one stepped by each, in alternating rounds. Each round runs {@code STEPS}
 * batches (forward and backward untimed, the step timed) and prints the median step and forward+backward, then the
 * process's resident memory, which should stay flat over the rounds.
 *
 * <pre>java -cp ... io.deepserve.training.OptimizerStepBench ARCH OPTIMIZER IMAGE_SIZE BATCH ROUNDS STEPS [fused|djl]</pre>
 * The last argument runs one of the two alone, e.g. a few hundred fused steps to watch the resident memory.
 */
public final class OptimizerStepBench {

	private static final int CLASSES = 6;

	private OptimizerStepBench() {
	}

	public static void main(String[] args) throws Exception {
		String architecture = args[0];
		String optimizer = args[1];
		int size = Integer.parseInt(args[2]);
		int batch = Integer.parseInt(args[3]);
		int rounds = Integer.parseInt(args[4]);
		int steps = Integer.parseInt(args[5]);
		OptimizerSettings settings = new OptimizerSettings(optimizer,
				OptimizerSettings.defaultWeightDecay(optimizer), (id, n) -> 0.001f);
		System.out.printf(Locale.ROOT, "%s %s %dpx batch %d, %d rounds of %d steps, %d intra-op threads%n",
				architecture, optimizer, size, batch, rounds, steps, Runtime.getRuntime().availableProcessors());
		String only = args.length > 6 ? args[6] : "";
		try (Copy djl = "fused".equals(only) ? null : new Copy(architecture, settings, size, batch, false);
				Copy fused = "djl".equals(only) ? null : new Copy(architecture, settings, size, batch, true)) {
			for (int round = 1; round <= rounds; round++) {
				for (Copy copy : round % 2 == 1 ? new Copy[] { djl, fused } : new Copy[] { fused, djl }) {
					if (copy != null) {
						copy.round(round, steps);
					}
				}
			}
		}
	}

	private static final class Copy implements AutoCloseable {

		private final Model model;

		private final Trainer trainer;

		private final FusedOptimizer fused;

		private final NDManager data;

		private final NDArray images;

		private final NDArray labels;

		Copy(String architecture, OptimizerSettings settings, int size, int batch, boolean fused) {
			Engine.getInstance().setRandomSeed(42);
			model = Model.newInstance("bench");
			model.setBlock(new Architectures().newClassifier(architecture, CLASSES));
			trainer = model.newTrainer(new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
				.optOptimizer(settings.djl()));
			trainer.initialize(new Shape(batch, 3, size, size));
			this.fused = fused ? FusedOptimizer.open(trainer, settings) : null;
			if (fused && this.fused == null) {
				throw new IllegalStateException("the fused step did not load");
			}
			data = model.getNDManager().newSubManager();
			images = data.randomNormal(new Shape(batch, 3, size, size));
			labels = data.randomInteger(0, CLASSES, new Shape(batch), DataType.INT32).toType(DataType.FLOAT32, false);
		}

		void round(int round, int steps) throws IOException {
			long[] step = new long[steps];
			long[] pass = new long[steps];
			for (int i = 0; i < steps; i++) {
				long started = System.nanoTime();
				try (NDManager scope = model.getNDManager().newSubManager()) {
					try (GradientCollector collector = trainer.newGradientCollector()) {
						// copies made in the scope, so that every array of the pass is freed with it
						NDList predictions = trainer.forward(new NDList(inScope(images, scope)));
						NDArray loss = trainer.getLoss().evaluate(new NDList(inScope(labels, scope)), predictions);
						collector.backward(loss);
						loss.getFloat();
					}
					long stepped = System.nanoTime();
					if (fused != null) {
						if (!fused.step()) {
							throw new IllegalStateException("the fused step failed");
						}
					}
					else {
						trainer.step();
					}
					// the step's writes are done when a weight can be read
					NDArray weight = model.getBlock().getParameters().get(0).getValue().getArray();
					weight.getFloat(new long[weight.getShape().dimension()]);
					step[i] = System.nanoTime() - stepped;
					pass[i] = stepped - started;
				}
			}
			System.out.printf(Locale.ROOT, "round %d %-5s step median %.1f ms (min %.1f), forward+backward %.1f ms, "
					+ "RSS %d MiB%n", round, fused != null ? "fused" : "djl", median(step) / 1e6,
					Arrays.stream(step).min().orElse(0) / 1e6, median(pass) / 1e6, rssMiB());
		}

		@Override
		public void close() {
			if (fused != null) {
				fused.close();
			}
			data.close();
			trainer.close();
			model.close();
		}

	}

	private static NDArray inScope(NDArray array, NDManager scope) {
		NDArray copy = array.duplicate();
		copy.attach(scope);
		return copy;
	}

	private static double median(long[] values) {
		long[] sorted = values.clone();
		Arrays.sort(sorted);
		return sorted[sorted.length / 2];
	}

	private static long rssMiB() throws IOException {
		for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
			if (line.startsWith("VmRSS:")) {
				return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
			}
		}
		return -1;
	}

}
