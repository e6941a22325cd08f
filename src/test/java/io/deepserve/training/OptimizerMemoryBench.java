package io.deepserve.training;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;

/**
 * Resident memory and managed arrays over thousands of optimizer steps on a small network (21 linear layers of 64,
 * batch 8), the fused step or DJL's: neither should grow with the steps. Run it with one intra-op thread on a busy
 * machine ({@code -Dai.djl.pytorch.num_threads=1}).
 *
 * <pre>java -cp ... io.deepserve.training.OptimizerMemoryBench fused|djl STEPS</pre>
 */
public final class OptimizerMemoryBench {

	private OptimizerMemoryBench() {
	}

	public static void main(String[] args) throws Exception {
		boolean fusedMode = args[0].equals("fused");
		int steps = Integer.parseInt(args[1]);
		OptimizerSettings settings = new OptimizerSettings("adam", 0f, (id, n) -> 0.001f);
		try (Model model = Model.newInstance("leak")) {
			SequentialBlock net = new SequentialBlock();
			for (int i = 0; i < 20; i++) {
				net.add(Linear.builder().setUnits(64).build()).add(Activation::relu);
			}
			net.add(Linear.builder().setUnits(2).build());
			model.setBlock(net);
			DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.l2Loss()).optOptimizer(settings.djl());
			try (Trainer trainer = model.newTrainer(config)) {
				trainer.initialize(new Shape(8, 64));
				FusedOptimizer fused = fusedMode ? FusedOptimizer.open(trainer, settings) : null;
				java.lang.reflect.Field checked = Trainer.class.getDeclaredField("gradientsChecked");
				checked.setAccessible(true);
				checked.setBoolean(trainer, true);
				long t0 = System.nanoTime();
				for (int s = 1; s <= steps; s++) {
					try (NDManager scope = model.getNDManager().newSubManager()) {
						NDArray x = scope.randomNormal(new Shape(8, 64));
						NDArray y = scope.randomNormal(new Shape(8, 2));
						try (GradientCollector c = trainer.newGradientCollector()) {
							c.backward(trainer.getLoss().evaluate(new NDList(y), trainer.forward(new NDList(x))));
						}
						if (fused == null) {
							trainer.step();
						}
						else if (!fused.step()) {
							throw new IllegalStateException("the fused step failed");
						}
					}
					if (s % (steps / 5) == 0) {
						System.gc();
						String rss = Files.readAllLines(Path.of("/proc/self/status"))
							.stream()
							.filter(line -> line.startsWith("VmRSS"))
							.findFirst()
							.orElse("VmRSS: ?");
						System.out.printf(Locale.ROOT, "%s step %d: %s, %.2f ms/step, arrays in model manager %d%n",
								args[0], s, rss.replaceAll("\\s+", " "), (System.nanoTime() - t0) / 1e6 / s,
								model.getNDManager().getManagedArrays().size());
					}
				}
				if (fused != null) {
					fused.close();
				}
			}
		}
	}
}
