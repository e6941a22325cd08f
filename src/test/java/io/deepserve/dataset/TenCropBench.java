package io.deepserve.dataset;

import java.awt.image.BufferedImage;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import javax.imageio.ImageIO;

import ai.djl.Device;
import ai.djl.Model;

import io.deepserve.inference.BatchHandler;
import io.deepserve.inference.vision.ImageClassification;
import io.deepserve.nn.Architectures;
import io.deepserve.registry.ArtifactFormat;
import io.deepserve.registry.ModelVersion;
import io.deepserve.registry.Preprocessing;
import io.deepserve.registry.Task;
import io.deepserve.task.vision.ImageTensors;
import io.deepserve.training.Hyperparameters;
import io.deepserve.training.JobListener;
import io.deepserve.training.TrainingJob;
import io.deepserve.training.vision.ImageClassifierTrainer;

/**
 * What ten-crop test-time augmentation does on a real dataset: a classifier trained by deepserve's own trainer on a
 * Fashion-MNIST subset, then its held-out accuracy and per-request latency without and with {@code tta=10crop},
 * through the serving batch handler (the same preprocessing and probability averaging as {@code /classify}, without
 * HTTP). In this package because an {@link ImageFolder} is made only here.
 *
 * <pre>java -cp ... io.deepserve.dataset.TenCropBench FASHION_DIR PER_CLASS TEST_IMAGES EPOCHS [ARCH [IMAGE_SIZE]]</pre>
 */
public final class TenCropBench {

	private static final String[] LABELS = { "tshirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt",
			"sneaker", "bag", "boot" };

	private TenCropBench() {
	}

	public static void main(String[] args) throws Exception {
		Path dir = Path.of(args[0]);
		int perClass = Integer.parseInt(args[1]);
		int testImages = Integer.parseInt(args[2]);
		int epochs = Integer.parseInt(args[3]);
		String architecture = args.length > 4 ? args[4] : "resnet18";
		int size = args.length > 5 ? Integer.parseInt(args[5]) : 32;
		Path work = Files.createTempDirectory("tencrop-");

		List<BufferedImage> train = images(dir.resolve("train-images-idx3-ubyte.gz"));
		int[] trainLabels = labels(dir.resolve("train-labels-idx1-ubyte.gz"));
		Path zip = work.resolve("train.zip");
		int[] kept = new int[LABELS.length];
		try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
			for (int i = 0; i < train.size(); i++) {
				int label = trainLabels[i];
				if (kept[label]++ >= perClass) {
					continue;
				}
				out.putNextEntry(new ZipEntry(LABELS[label] + "/" + i + ".png"));
				ImageIO.write(train.get(i), "png", out);
				out.closeEntry();
			}
		}

		Hyperparameters hp = new Hyperparameters(epochs, 32, 0.001f, "adam", size, true, 0.1f, 0, 42L, "cosine", null,
				null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null)
			.withDefaults();
		Preprocessing preprocessing = ImageClassifierTrainer.preprocessing(hp, null);
		Architectures architectures = new Architectures();
		long start = System.nanoTime();
		ImageClassifierTrainer.Result result;
		try (ZipFile file = new ZipFile(zip.toFile());
				ImageFolder folder = new ImageFolder(file, ImageZipLayout.read(file, 1_000_000), 1 << 24)) {
			result = new ImageClassifierTrainer(architectures, 0).train(architecture, hp, preprocessing, folder,
					Device.cpu(), work, new Quiet());
		}
		System.out.printf(Locale.ROOT, "%s at %d px, %d training images, %d epochs: %.0f s, best validation "
				+ "accuracy %.4f (epoch %d)%n", architecture, size, perClass * LABELS.length, epochs,
				(System.nanoTime() - start) / 1e9, result.bestValidationAccuracy(), result.bestEpoch());

		List<BufferedImage> test = images(dir.resolve("t10k-images-idx3-ubyte.gz")).subList(0, testImages);
		int[] testLabels = labels(dir.resolve("t10k-labels-idx1-ubyte.gz"));
		List<String> classes = result.classes();
		ModelVersion version = new ModelVersion("bench", 1, Task.IMAGE_CLASSIFICATION, architecture,
				ArtifactFormat.DJL, null, classes, preprocessing, null, null, null, null, null, 0, null, null,
				ModelVersion.Status.READY, null);
		ImageTensors tensors = new ImageTensors(preprocessing);
		try (Model model = Model.newInstance(ImageClassifierTrainer.MODEL_NAME, Device.cpu())) {
			model.setBlock(architectures.newClassifier(architecture, classes.size()));
			model.load(result.modelDir(), ImageClassifierTrainer.MODEL_NAME);
			try (BatchHandler<float[], float[]> handler = new ImageClassification(0).newHandler(model, version)) {
				int plainRight = 0;
				int ttaRight = 0;
				int multiScaleRight = 0;
				for (int i = 0; i < test.size(); i++) {
					String truth = LABELS[testLabels[i]];
					List<float[]> out = handler.run(List.of(tensors.tensor(test.get(i)), tensors.tenCrops(test.get(i)),
							tensors.multiScale(test.get(i))));
					plainRight += classes.get(argMax(out.get(0))).equals(truth) ? 1 : 0;
					ttaRight += classes.get(argMax(out.get(1))).equals(truth) ? 1 : 0;
					multiScaleRight += classes.get(argMax(out.get(2))).equals(truth) ? 1 : 0;
				}
				System.out.printf(Locale.ROOT, "held-out accuracy on %d Fashion-MNIST test images: plain %.4f, "
						+ "10crop %.4f, multiscale %.4f%n", test.size(), (double) plainRight / test.size(),
						(double) ttaRight / test.size(), (double) multiScaleRight / test.size());
				latency(handler, tensors, test, "plain");
				latency(handler, tensors, test, "10crop");
				latency(handler, tensors, test, "multiscale");
			}
		}
	}

	/** Median and 90th percentile of preprocessing plus one single-request batch, over 200 requests after 20. */
	private static void latency(BatchHandler<float[], float[]> handler, ImageTensors tensors,
			List<BufferedImage> test, String tta) {
		int requests = 220;
		double[] took = new double[requests - 20];
		for (int r = 0; r < requests; r++) {
			BufferedImage image = test.get(r % test.size());
			long start = System.nanoTime();
			float[] input = switch (tta) {
				case "10crop" -> tensors.tenCrops(image);
				case "multiscale" -> tensors.multiScale(image);
				default -> tensors.tensor(image);
			};
			handler.run(List.of(input));
			if (r >= 20) {
				took[r - 20] = (System.nanoTime() - start) / 1e6;
			}
		}
		Arrays.sort(took);
		System.out.printf(Locale.ROOT, "%s: median %.2f ms, p90 %.2f ms per request (preprocess + one batch)%n",
				tta, took[took.length / 2], took[took.length * 9 / 10]);
	}

	private static int argMax(float[] p) {
		int best = 0;
		for (int i = 1; i < p.length; i++) {
			best = p[i] > p[best] ? i : best;
		}
		return best;
	}

	private static List<BufferedImage> images(Path file) throws IOException {
		try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(file)))) {
			in.readInt();
			int count = in.readInt();
			int rows = in.readInt();
			int cols = in.readInt();
			byte[] pixels = new byte[rows * cols];
			List<BufferedImage> images = new ArrayList<>(count);
			for (int n = 0; n < count; n++) {
				in.readFully(pixels);
				BufferedImage image = new BufferedImage(cols, rows, BufferedImage.TYPE_INT_RGB);
				for (int i = 0; i < pixels.length; i++) {
					int v = pixels[i] & 0xff;
					image.setRGB(i % cols, i / cols, v << 16 | v << 8 | v);
				}
				images.add(image);
			}
			return images;
		}
	}

	private static int[] labels(Path file) throws IOException {
		try (InputStream raw = new GZIPInputStream(Files.newInputStream(file));
				DataInputStream in = new DataInputStream(raw)) {
			in.readInt();
			int[] labels = new int[in.readInt()];
			for (int i = 0; i < labels.length; i++) {
				labels[i] = in.readUnsignedByte();
			}
			return labels;
		}
	}

	private static final class Quiet implements JobListener {

		@Override
		public void progress(TrainingJob.Progress progress) {
		}

		@Override
		public void epoch(TrainingJob.EpochResult result) {
			System.out.println("epoch " + result);
		}

		@Override
		public boolean cancelRequested() {
			return false;
		}

	}

}
