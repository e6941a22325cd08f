package io.deepserve.bench;

import java.nio.file.Path;
import java.util.Locale;

import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoopTranslator;

/**
 * The in-process ceiling the HTTP service is compared with: one DJL predictor on the same TorchScript file, fed
 * ready-made {@code [N, 3, 224, 224]} tensors back to back, for each batch size. No decoding, no HTTP.
 *
 * <pre>java -cp ... io.deepserve.bench.PredictorBench MODEL.pt SECONDS BATCH_SIZE...</pre>
 */
public final class PredictorBench {

	private PredictorBench() {
	}

	public static void main(String[] args) throws Exception {
		Path file = Path.of(args[0]);
		double seconds = Double.parseDouble(args[1]);
		try (Model model = Model.newInstance("bench", "PyTorch")) {
			model.load(file);
			for (int i = 2; i < args.length; i++) {
				int batch = Integer.parseInt(args[i]);
				run(model, batch, seconds);
			}
		}
	}

	private static void run(Model model, int batch, double seconds) throws Exception {
		try (Predictor<NDList, NDList> predictor = model.newPredictor(new NoopTranslator());
				NDManager manager = NDManager.newBaseManager()) {
			NDArray input = manager.randomNormal(new Shape(batch, 3, 224, 224));
			for (int i = 0; i < 3; i++) {
				predictor.predict(new NDList(input)).close();
			}
			long start = System.nanoTime();
			long stop = start + (long) (seconds * 1e9);
			int batches = 0;
			while (System.nanoTime() < stop) {
				predictor.predict(new NDList(input)).close();
				batches++;
			}
			double took = (System.nanoTime() - start) / 1e9;
			System.out.printf(Locale.ROOT, "djl-predictor batch=%d throughput=%.1f images/s latency=%.1fms/batch%n",
					batch, batches * batch / took, took * 1000 / batches);
		}
	}

}
