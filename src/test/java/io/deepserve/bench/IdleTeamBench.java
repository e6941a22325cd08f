package io.deepserve.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SynchronousQueue;

import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoopTranslator;

import io.deepserve.inference.OpenMpTeams;

/**
 * What an idle thread's OpenMP team costs a busy one: the median latency of one predictor at one batch size, run
 * back to back, (1) alone, (2) beside a second thread that ran the model once and now waits, keeping its team, and
 * (3) after that thread released its team, as an idle serving worker does.
 *
 * <pre>java -cp ... io.deepserve.bench.IdleTeamBench MODEL.pt BATCH_SIZE RUNS</pre>
 */
public final class IdleTeamBench {

	private IdleTeamBench() {
	}

	public static void main(String[] args) throws Exception {
		int batch = Integer.parseInt(args[1]);
		int runs = Integer.parseInt(args[2]);
		try (Model model = Model.newInstance("bench", "PyTorch");
				NDManager manager = NDManager.newBaseManager()) {
			model.load(Path.of(args[0]));
			NDArray input = manager.randomNormal(new Shape(batch, 3, 224, 224));
			try (Predictor<NDList, NDList> predictor = model.newPredictor(new NoopTranslator())) {
				median(predictor, input, 20);
				report("alone", batch, median(predictor, input, runs));

				SynchronousQueue<Runnable> tasks = new SynchronousQueue<>();
				Thread other = new Thread(() -> {
					try (Predictor<NDList, NDList> second = model.newPredictor(new NoopTranslator())) {
						second.predict(new NDList(input)).close();
						while (true) {
							tasks.take().run();
						}
					}
					catch (Exception ex) {
						// interrupted at the end
					}
				}, "idle-worker");
				other.setDaemon(true);
				other.start();
				LinkedBlockingQueue<Boolean> done = new LinkedBlockingQueue<>();
				tasks.put(() -> done.offer(true));
				done.take();
				report("beside an idle team", batch, median(predictor, input, runs));

				tasks.put(() -> done.offer(OpenMpTeams.releaseCurrentThread()));
				if (!done.take()) {
					throw new IllegalStateException("no libgomp found to release the idle team");
				}
				report("idle team released", batch, median(predictor, input, runs));
				other.interrupt();
			}
		}
	}

	private static double median(Predictor<NDList, NDList> predictor, NDArray input, int runs) throws Exception {
		double[] millis = new double[runs];
		for (int i = 0; i < runs; i++) {
			long start = System.nanoTime();
			predictor.predict(new NDList(input)).close();
			millis[i] = (System.nanoTime() - start) / 1e6;
		}
		Arrays.sort(millis);
		return millis[runs / 2];
	}

	private static void report(String state, int batch, double millis) {
		System.out.printf(Locale.ROOT, "idle-team batch=%d %s: median %.1f ms%n", batch, state, millis);
	}

}
