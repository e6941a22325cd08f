package io.deepserve.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoopTranslator;

/**
 * The in-process ceiling the HTTP service is compared with: DJL predictors on the same TorchScript file, fed
 * ready-made {@code [N, 3, 224, 224]} tensors back to back, for each batch size. No decoding, no HTTP. With
 * {@code -Dpredictors=2} two threads run a predictor each on the one model, as the service's two workers do. With
 * {@code -Dlayout=channels-last} the tensors are NCHW in shape and NHWC in memory, as the service hands batches of
 * four or more to a TorchScript classifier on the CPU.
 *
 * <pre>java -cp ... io.deepserve.bench.PredictorBench MODEL.pt SECONDS BATCH_SIZE...</pre>
 */
public final class PredictorBench {

	private PredictorBench() {
	}

	public static void main(String[] args) throws Exception {
		Path file = Path.of(args[0]);
		double seconds = Double.parseDouble(args[1]);
		int predictors = Integer.getInteger("predictors", 1);
		boolean channelsLast = "channels-last".equals(System.getProperty("layout", "plain"));
		try (Model model = Model.newInstance("bench", "PyTorch")) {
			model.load(file);
			for (int i = 2; i < args.length; i++) {
				int batch = Integer.parseInt(args[i]);
				run(model, predictors, batch, seconds, channelsLast);
			}
		}
	}

	private static void run(Model model, int predictors, int batch, double seconds, boolean channelsLast)
			throws Exception {
		CyclicBarrier warm = new CyclicBarrier(predictors + 1);
		AtomicLong batches = new AtomicLong();
		AtomicReference<Exception> failure = new AtomicReference<>();
		long[] stop = new long[1];
		List<Thread> threads = new ArrayList<>();
		for (int t = 0; t < predictors; t++) {
			Thread thread = new Thread(() -> {
				try (Predictor<NDList, NDList> predictor = model.newPredictor(new NoopTranslator());
						NDManager manager = NDManager.newBaseManager()) {
					NDArray input = channelsLast
							? manager.randomNormal(new Shape(batch, 224, 224, 3)).transpose(0, 3, 1, 2)
							: manager.randomNormal(new Shape(batch, 3, 224, 224));
					for (int i = 0; i < 3; i++) {
						predictor.predict(new NDList(input)).close();
					}
					warm.await();
					while (System.nanoTime() < stop[0]) {
						predictor.predict(new NDList(input)).close();
						batches.incrementAndGet();
					}
				}
				catch (Exception ex) {
					failure.set(ex);
				}
			});
			thread.setDaemon(true);
			threads.add(thread);
			thread.start();
		}
		while (warm.getNumberWaiting() < predictors && failure.get() == null) {
			Thread.sleep(10);
		}
		if (failure.get() != null) {
			throw failure.get();
		}
		long start = System.nanoTime();
		stop[0] = start + (long) (seconds * 1e9);
		warm.await();
		for (Thread thread : threads) {
			thread.join();
		}
		if (failure.get() != null) {
			throw failure.get();
		}
		double took = (System.nanoTime() - start) / 1e9;
		System.out.printf(Locale.ROOT,
				"djl-predictor predictors=%d layout=%s batch=%d throughput=%.1f images/s latency=%.1fms/batch%n",
				predictors, channelsLast ? "channels-last" : "plain", batch, batches.get() * batch / took,
				took * 1000 * predictors / batches.get());
	}

}
