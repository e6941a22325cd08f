package io.deepserve.inference.vision;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.springframework.stereotype.Service;

import io.deepserve.config.DeepserveProperties;
import io.deepserve.error.InvalidInputException;
import io.deepserve.error.UnavailableException;
import io.deepserve.image.ImageDecoder;
import io.deepserve.inference.Inference;
import io.deepserve.inference.WorkloadManager;
import io.deepserve.registry.ModelVersion;
import io.deepserve.registry.Preprocessing;
import io.deepserve.task.vision.ImageTensors;

/** Classifies images and preprocessed tensors with a version's own preprocessing, through the workload manager. */
@Service
public class ImageClassifier {

	private final WorkloadManager manager;

	private final ImageClassification task;

	private final long maxPixels;

	/** Decoding a large image takes seconds of CPU and a burst of heap; more at once than CPUs only queue up. */
	private final Semaphore decodes;

	private final Duration decodeWait;

	public ImageClassifier(WorkloadManager manager, ImageClassification task, DeepserveProperties properties) {
		this.manager = manager;
		this.task = task;
		this.maxPixels = properties.inference().maxImagePixels();
		int slots = properties.inference().maxConcurrentDecodes();
		this.decodes = new Semaphore(slots > 0 ? slots : Runtime.getRuntime().availableProcessors());
		this.decodeWait = properties.inference().decodeWait();
	}

	/** Test-time augmentations {@code /classify} knows: {@code none}, {@code 10crop} and {@code multiscale}. */
	public static final String TTA_NONE = "none";

	public static final String TTA_TEN_CROP = "10crop";

	public static final String TTA_MULTI_SCALE = "multiscale";

	private static final List<String> TTAS = List.of(TTA_NONE, TTA_TEN_CROP, TTA_MULTI_SCALE);

	/** @param image the encoded JPEG or PNG, already within the byte limit */
	public Classification classify(String ref, byte[] image, int topK) {
		return classify(ref, image, topK, TTA_NONE);
	}

	/**
	 * @param tta {@code none}; {@code 10crop}: the probabilities averaged over {@link ImageTensors#tenCrops ten
	 * crops}; or {@code multiscale}: averaged over {@link ImageTensors#multiScale three scales and their mirrors}.
	 * The crops of a request are queued as one request and run in one batch
	 * @throws InvalidInputException {@code 400 invalid_tta} for another value
	 */
	public Classification classify(String ref, byte[] image, int topK, String tta) {
		if (topK < 1) {
			throw new InvalidInputException("invalid_request", "topK must be at least 1");
		}
		String augmentation = requireTta(tta);
		Inference<float[]> result = manager.infer(ref, task,
				version -> List.of(preprocess(new ByteArrayInputStream(image), version, augmentation)));
		List<Classification.Prediction> predictions = top(result.version().labels(), result.outputs().get(0), topK);
		return new Classification(result.version().ref(), predictions,
				new Classification.Timings(result.queueMs(), result.preprocessMs(), result.inferenceMs()));
	}

	/**
	 * Classifies images already preprocessed to {@code 3 x imageSize x imageSize}, as the Open Inference Protocol
	 * sends them; each image is queued on its own so it can share a batch with other requests.
	 * @param tensors called with the resolved version before anything is queued: checks the request against it and
	 * returns one CHW image per input
	 */
	public Inference<float[]> classifyTensors(String ref, Function<ModelVersion, List<float[]>> tensors) {
		return manager.infer(ref, task, tensors);
	}

	/** @return {@code tta}, {@code none} for null; throws {@code 400 invalid_tta} unless it is known */
	public static String requireTta(String tta) {
		if (tta == null) {
			return TTA_NONE;
		}
		if (TTAS.contains(tta)) {
			return tta;
		}
		throw new InvalidInputException("invalid_tta",
				"tta must be one of " + String.join(", ", TTAS) + ", not '" + tta + "'");
	}

	/** The image as the (checked) {@code tta} asks: one CHW image, or several whose probabilities are averaged. */
	private float[] preprocess(InputStream image, ModelVersion version, String tta) {
		return switch (tta) {
			case TTA_TEN_CROP -> preprocessTenCrops(image, version);
			case TTA_MULTI_SCALE -> preprocessMultiScale(image, version);
			default -> preprocess(image, version);
		};
	}

	/**
	 * Decodes an encoded image within the pixel limit, subsampled to no less than the version's preprocessing
	 * resizes to, and applies that preprocessing.
	 */
	public float[] preprocess(InputStream image, ModelVersion version) {
		Preprocessing p = version.preprocessing();
		return decoded(image, Math.max(p.resizeOrDefault(), p.imageSize()), rgb -> new ImageTensors(p).tensor(rgb));
	}

	/** The ten crops of an encoded image, one CHW image after another, as {@link ImageTensors#tenCrops} gives them. */
	public float[] preprocessTenCrops(InputStream image, ModelVersion version) {
		ImageTensors tensors = new ImageTensors(version.preprocessing());
		return decoded(image, tensors.tenCropResize(), tensors::tenCrops);
	}

	/** The multi-scale crops of an encoded image, as {@link ImageTensors#multiScale} gives them. */
	public float[] preprocessMultiScale(InputStream image, ModelVersion version) {
		ImageTensors tensors = new ImageTensors(version.preprocessing());
		int[] sides = tensors.multiScaleResizes();
		return decoded(image, sides[sides.length - 1], tensors::multiScale);
	}

	private float[] decoded(InputStream image, int shortSide, Function<BufferedImage, float[]> preprocess) {
		try {
			if (!decodes.tryAcquire(decodeWait.toMillis(), TimeUnit.MILLISECONDS)) {
				throw new UnavailableException("decoder_busy", "every image decoder stayed busy for " + decodeWait
						+ " (deepserve.inference.max-concurrent-decodes); retry shortly", 1);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new UnavailableException("shutting_down", "the server is shutting down", 1);
		}
		try {
			BufferedImage decoded = ImageDecoder.decode(image, "the image", maxPixels, shortSide);
			return preprocess.apply(ImageDecoder.toRgb(decoded));
		}
		finally {
			decodes.release();
		}
	}

	public ModelVersion resolve(String ref) {
		return manager.resolve(ref, task.task());
	}

	public boolean isLoaded(ModelVersion version) {
		return manager.isLoaded(version.name(), version.version());
	}

	/**
	 * The {@code k} most probable labels, most probable first, equal probabilities in label order: one pass that
	 * keeps the best {@code k} in order, instead of sorting every label (k is usually far below the label count).
	 */
	static List<Classification.Prediction> top(List<String> labels, float[] probabilities, int k) {
		int[] best = new int[Math.min(k, probabilities.length)];
		int kept = 0;
		for (int i = 0; i < probabilities.length; i++) {
			float p = probabilities[i];
			if (kept == best.length && p <= probabilities[best[kept - 1]]) {
				continue;
			}
			int at = kept < best.length ? kept++ : kept - 1;
			for (; at > 0 && probabilities[best[at - 1]] < p; at--) {
				best[at] = best[at - 1];
			}
			best[at] = i;
		}
		List<Classification.Prediction> top = new ArrayList<>(kept);
		for (int i = 0; i < kept; i++) {
			top.add(new Classification.Prediction(labels.get(best[i]), probabilities[best[i]]));
		}
		return top;
	}

}
