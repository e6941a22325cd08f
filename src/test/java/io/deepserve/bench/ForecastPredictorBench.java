package io.deepserve.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CountDownLatch;

import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.Batchifier;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;

import io.deepserve.inference.OpenMpTeams;
import io.deepserve.nn.Architectures;

/**
 * The in-process ceiling {@code /forecast} is compared with: the same trained LSTM rebuilt from its parameters, one
 * DJL predictor per client thread, each calling it back to back with a ready-made scaled window. No JSON, no HTTP,
 * no queue. Prints the same figures as {@link LoadGenerator}.
 *
 * <pre>java -cp ... io.deepserve.bench.ForecastPredictorBench MODEL_DIR SECONDS WINDOW HIDDEN LAYERS HORIZON CONCURRENCY...</pre>
 */
public final class ForecastPredictorBench {

	/** {@code -Dbench.threads=N}: each client thread's parallel operations use N threads, as a serving worker's do. */
	private static final int THREADS = Integer.getInteger("bench.threads", 0);

	private ForecastPredictorBench() {
	}

	public static void main(String[] args) throws Exception {
		Path dir = Path.of(args[0]);
		double seconds = Double.parseDouble(args[1]);
		int window = Integer.parseInt(args[2]);
		int hidden = Integer.parseInt(args[3]);
		int layers = Integer.parseInt(args[4]);
		int horizon = Integer.parseInt(args[5]);
		try (Model model = Model.newInstance("bench", "PyTorch")) {
			model.setBlock(new Architectures().newForecaster("lstm", 1, hidden, layers, 0, horizon));
			model.load(dir, "model");
			for (int i = 6; i < args.length; i++) {
				run(model, window, Integer.parseInt(args[i]), seconds);
			}
		}
	}

	private static void run(Model model, int window, int concurrency, double seconds) throws Exception {
		long warmUntil = System.nanoTime() + 2_000_000_000L;
		long stopAt = warmUntil + (long) (seconds * 1e9);
		long[][] latencies = new long[concurrency][];
		int[] counts = new int[concurrency];
		CountDownLatch done = new CountDownLatch(concurrency);
		for (int c = 0; c < concurrency; c++) {
			int client = c;
			Thread thread = new Thread(() -> {
				long[] mine = new long[1 << 16];
				int n = 0;
				if (THREADS > 0) {
					OpenMpTeams.limitCurrentThread(THREADS);
				}
				float[] input = new float[window];
				Random random = new Random(client);
				for (int i = 0; i < window; i++) {
					input[i] = (float) random.nextGaussian();
				}
				try (Predictor<float[], float[]> predictor = model.newPredictor(new WindowTranslator(window))) {
					while (true) {
						long start = System.nanoTime();
						if (start >= stopAt) {
							break;
						}
						predictor.predict(input);
						long end = System.nanoTime();
						if (start < warmUntil || end > stopAt) {
							continue;
						}
						if (n == mine.length) {
							mine = Arrays.copyOf(mine, n * 2);
						}
						mine[n++] = end - start;
					}
				}
				catch (Exception ex) {
					throw new IllegalStateException(ex);
				}
				finally {
					latencies[client] = mine;
					counts[client] = n;
					done.countDown();
				}
			});
			thread.start();
		}
		done.await();
		int total = Arrays.stream(counts).sum();
		long[] all = new long[total];
		int at = 0;
		for (int c = 0; c < concurrency; c++) {
			System.arraycopy(latencies[c], 0, all, at, counts[c]);
			at += counts[c];
		}
		Arrays.sort(all);
		System.out.printf(Locale.ROOT, "djl-predictor concurrency=%d requests=%d throughput=%.1f/s p50=%.2fms "
				+ "p99=%.2fms%n", concurrency, total, total / seconds, percentile(all, 0.50), percentile(all, 0.99));
	}

	private static double percentile(long[] sorted, double p) {
		if (sorted.length == 0) {
			return Double.NaN;
		}
		int index = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
		return sorted[Math.max(0, index)] / 1e6;
	}

	private record WindowTranslator(int window) implements Translator<float[], float[]> {

		@Override
		public NDList processInput(TranslatorContext ctx, float[] input) {
			return new NDList(ctx.getNDManager().create(input, new Shape(1, window, 1)));
		}

		@Override
		public float[] processOutput(TranslatorContext ctx, NDList output) {
			return output.head().toFloatArray();
		}

		@Override
		public Batchifier getBatchifier() {
			return null;
		}

	}

}
