package io.deepserve.bench;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.Batchifier;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;

import io.deepserve.nn.Architectures;

/**
 * The in-process figure {@code /forecast} is compared with: the same stored forecaster (its DJL zip, as downloaded
 * from the registry) rebuilt as serving rebuilds it, one predictor per client thread, each forecasting one scaled
 * window at a time back to back. No HTTP, no JSON, no codec.
 *
 * <pre>java -cp ... io.deepserve.bench.ForecastPredictorBench MODEL.zip CELL WINDOW HIDDEN LAYERS HORIZON SECONDS CONCURRENCY...</pre>
 */
public final class ForecastPredictorBench {

	private ForecastPredictorBench() {
	}

	public static void main(String[] args) throws Exception {
		Path dir = Files.createTempDirectory("forecast-bench");
		unzip(Path.of(args[0]), dir);
		String cell = args[1];
		int window = Integer.parseInt(args[2]);
		int hidden = Integer.parseInt(args[3]);
		int layers = Integer.parseInt(args[4]);
		int horizon = Integer.parseInt(args[5]);
		double seconds = Double.parseDouble(args[6]);
		try (Model model = Model.newInstance("model", "PyTorch")) {
			model.setBlock(new Architectures().newForecaster(cell, 1, hidden, layers, 0, horizon));
			model.load(dir, "model");
			for (int i = 7; i < args.length; i++) {
				run(model, window, Integer.parseInt(args[i]), seconds);
			}
		}
	}

	private static void run(Model model, int window, int concurrency, double seconds) throws Exception {
		long[][] latencies = new long[concurrency][];
		int[] counts = new int[concurrency];
		CountDownLatch done = new CountDownLatch(concurrency);
		long warmUntil = System.nanoTime() + 2_000_000_000L;
		long stopAt = warmUntil + (long) (seconds * 1e9);
		for (int c = 0; c < concurrency; c++) {
			int client = c;
			Thread thread = new Thread(() -> {
				long[] mine = new long[1 << 16];
				int n = 0;
				float[] input = new float[window];
				Random random = new Random(client);
				for (int t = 0; t < window; t++) {
					input[t] = (float) random.nextGaussian();
				}
				try (Predictor<float[], float[]> predictor = model.newPredictor(new WindowTranslator(window))) {
					while (true) {
						long start = System.nanoTime();
						if (start >= stopAt) {
							break;
						}
						predictor.predict(input);
						long end = System.nanoTime();
						if (start >= warmUntil && end <= stopAt) {
							if (n == mine.length) {
								mine = Arrays.copyOf(mine, n * 2);
							}
							mine[n++] = end - start;
						}
					}
				}
				catch (Exception ex) {
					ex.printStackTrace();
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

	private static void unzip(Path zip, Path dir) throws Exception {
		try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
			for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
				Path target = dir.resolve(Path.of(entry.getName()).getFileName().toString());
				if (!entry.isDirectory()) {
					Files.copy((InputStream) in, target);
				}
			}
		}
	}

	private record WindowTranslator(int window) implements Translator<float[], float[]> {

		@Override
		public NDList processInput(TranslatorContext ctx, float[] input) {
			return new NDList(ctx.getNDManager().create(input, new Shape(1, window, 1)));
		}

		@Override
		public float[] processOutput(TranslatorContext ctx, NDList output) {
			return output.get(0).toFloatArray();
		}

		@Override
		public Batchifier getBatchifier() {
			return null;
		}

	}

}
