package io.deepserve.inference.vision;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.stream.IntStream;

import org.springframework.stereotype.Service;

import io.deepserve.config.DeepserveProperties;
import io.deepserve.image.ImageDecoder;
import io.deepserve.inference.Inference;
import io.deepserve.inference.WorkloadManager;
import io.deepserve.registry.ModelVersion;
import io.deepserve.web.ApiException;

/** Classifies images and preprocessed tensors with a version's own preprocessing, through the workload manager. */
@Service
public class ImageClassifier {

	private final WorkloadManager manager;

	private final ImageClassification task;

	private final long maxPixels;

	public ImageClassifier(WorkloadManager manager, ImageClassification task, DeepserveProperties properties) {
		this.manager = manager;
		this.task = task;
		this.maxPixels = properties.inference().maxImagePixels();
	}

	/** @param image the encoded JPEG or PNG, already within the byte limit */
	public Classification classify(String ref, byte[] image, int topK) {
		if (topK < 1) {
			throw ApiException.badRequest("invalid_request", "topK must be at least 1");
		}
		Inference<float[]> result = manager.infer(ref, task,
				version -> List.of(preprocess(new ByteArrayInputStream(image), version)));
		return new Classification(result.version().ref(), top(result.version(), result.outputs().get(0), topK),
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

	/** Decodes an encoded image within the pixel limit and applies the version's preprocessing. */
	public float[] preprocess(InputStream image, ModelVersion version) {
		return ImagePreprocessor.toTensor(ImageDecoder.toRgb(ImageDecoder.decode(image, "the image", maxPixels)),
				version.preprocessing());
	}

	public ModelVersion resolve(String ref) {
		return manager.resolve(ref, task.task());
	}

	public boolean isLoaded(ModelVersion version) {
		return manager.isLoaded(version.name(), version.version());
	}

	private static List<Classification.Prediction> top(ModelVersion version, float[] probabilities, int k) {
		List<String> labels = version.labels();
		List<Classification.Prediction> all = new ArrayList<>(IntStream.range(0, probabilities.length)
			.mapToObj(i -> new Classification.Prediction(labels.get(i), probabilities[i]))
			.toList());
		all.sort(Comparator.comparingDouble(Classification.Prediction::probability).reversed());
		return all.subList(0, Math.min(k, all.size()));
	}

}
