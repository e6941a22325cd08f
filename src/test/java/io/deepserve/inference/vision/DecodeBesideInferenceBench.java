package io.deepserve.inference.vision;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoopTranslator;

import io.deepserve.image.ImageDecoder;
import io.deepserve.registry.Preprocessing;
import io.deepserve.task.vision.ImageTensors;

/**
 * What the JPEG decoding and preprocessing the service does costs the predictor, with no HTTP: one predictor at batch 8
 * back to back (1) alone, (2) while another thread decodes and preprocesses eight of the benchmark's JPEGs per batch
 * run, as the request threads do beside the workers, and (3) decoding its eight itself before each batch. The
 * per-image decode cost alone is printed too.
 *
 * <pre>java -cp ... io.deepserve.inference.vision.DecodeBesideInferenceBench MODEL.pt IMAGE_DIR SECONDS</pre>
 */
public final class DecodeBesideInferenceBench {

	private static final int BATCH = 8;

	private static final Preprocessing PREPROCESSING = new Preprocessing(224, 256, null, null);

	private final List<byte[]> images = new ArrayList<>();

	private DecodeBesideInferenceBench(Path dir) throws IOException {
		try (DirectoryStream<Path> jpegs = Files.newDirectoryStream(dir, "*.jpg")) {
			for (Path jpeg : jpegs) {
				images.add(Files.readAllBytes(jpeg));
			}
		}
	}

	public static void main(String[] args) throws Exception {
		DecodeBesideInferenceBench bench = new DecodeBesideInferenceBench(Path.of(args[1]));
		double seconds = Double.parseDouble(args[2]);
		for (int i = 0; i < 2000; i++) {
			bench.preprocess(i);
		}
		long start = System.nanoTime();
		for (int i = 0; i < 500; i++) {
			bench.preprocess(i);
		}
		System.out.printf(Locale.ROOT, "decode-beside decode and preprocess alone: %.2f ms per image%n",
				(System.nanoTime() - start) / 1e6 / 500);
		try (Model model = Model.newInstance("bench", "PyTorch");
				NDManager manager = NDManager.newBaseManager()) {
			model.load(Path.of(args[0]));
			NDArray input = manager.randomNormal(new Shape(BATCH, 3, 224, 224));
			try (Predictor<NDList, NDList> predictor = model.newPredictor(new NoopTranslator())) {
				for (int i = 0; i < 20; i++) {
					predictor.predict(new NDList(input)).close();
				}
				for (int round = 0; round < 2; round++) {
					bench.alone(predictor, input, seconds);
					bench.beside(predictor, input, seconds);
					bench.serial(predictor, input, seconds);
				}
			}
		}
	}

	private void alone(Predictor<NDList, NDList> predictor, NDArray input, double seconds) throws Exception {
		long start = System.nanoTime();
		int batches = 0;
		while (System.nanoTime() - start < seconds * 1e9) {
			predictor.predict(new NDList(input)).close();
			batches++;
		}
		report("alone", batches, start);
	}

	private void beside(Predictor<NDList, NDList> predictor, NDArray input, double seconds) throws Exception {
		// the decoder keeps at most two batches ahead, so it decodes as many images as the predictor runs
		Semaphore ahead = new Semaphore(2 * BATCH);
		AtomicBoolean stop = new AtomicBoolean();
		Thread decoder = new Thread(() -> {
			for (int i = 0; !stop.get(); i++) {
				try {
					if (ahead.tryAcquire(50, TimeUnit.MILLISECONDS)) {
						preprocess(i);
					}
				}
				catch (InterruptedException ex) {
					return;
				}
			}
		}, "decoder");
		decoder.start();
		long start = System.nanoTime();
		int batches = 0;
		while (System.nanoTime() - start < seconds * 1e9) {
			predictor.predict(new NDList(input)).close();
			ahead.release(BATCH);
			batches++;
		}
		report("decoding beside", batches, start);
		stop.set(true);
		decoder.join();
	}

	private void serial(Predictor<NDList, NDList> predictor, NDArray input, double seconds) throws Exception {
		long start = System.nanoTime();
		int batches = 0;
		while (System.nanoTime() - start < seconds * 1e9) {
			for (int i = 0; i < BATCH; i++) {
				preprocess(i);
			}
			predictor.predict(new NDList(input)).close();
			batches++;
		}
		report("decoding first", batches, start);
	}

	private float[] preprocess(int i) {
		byte[] jpeg = images.get(i % images.size());
		return new ImageTensors(PREPROCESSING)
			.tensor(ImageDecoder.toRgb(ImageDecoder.decode(new ByteArrayInputStream(jpeg), "bench", 1L << 30)));
	}

	private static void report(String mode, int batches, long start) {
		double took = (System.nanoTime() - start) / 1e9;
		System.out.printf(Locale.ROOT, "decode-beside batch=%d %s: %.1f images/s%n", BATCH, mode,
				batches * BATCH / took);
	}

}
