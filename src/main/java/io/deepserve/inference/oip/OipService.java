package io.deepserve.inference.oip;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.stereotype.Service;

import io.deepserve.config.DeepserveProperties;
import io.deepserve.inference.Agreement;
import io.deepserve.inference.Inference;
import io.deepserve.inference.WorkloadManager;
import io.deepserve.inference.vision.ImageClassifier;
import io.deepserve.registry.ModelRegistry;
import io.deepserve.registry.ModelVersion;
import io.deepserve.registry.Task;

/**
 * Open Inference Protocol v2 over deepserve's models, by the task of the version named; forecasters are
 * {@link OipForecasts}'. A classifier takes {@code FP32 [N, 3, S, S]}, images already
 * preprocessed as its version says, or {@code BYTES [N]} holding base64 JPEG/PNG files that get the version's own
 * preprocessing; it answers {@code FP32 [N, classes]} probabilities in label order.
 */
@Service
class OipService {

	static final String OUTPUT = "probabilities";

	private final ImageClassifier classifier;

	private final ModelRegistry registry;

	private final DeepserveProperties.Inference limits;

	private final OipForecasts forecasts;

	private final WorkloadManager manager;

	OipService(ImageClassifier classifier, OipForecasts forecasts, ModelRegistry registry, WorkloadManager manager,
			DeepserveProperties properties) {
		this.classifier = classifier;
		this.manager = manager;
		this.forecasts = forecasts;
		this.registry = registry;
		this.limits = properties.inference();
	}

	Map<String, Object> metadata(String name, Integer version) {
		if (forecasting(name, version)) {
			return forecasts.metadata(ref(name, version), readyVersions(name));
		}
		ModelVersion v = classifier.resolve(ref(name, version));
		int size = v.preprocessing().imageSize();
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("name", v.name());
		body.put("versions", readyVersions(v.name()));
		body.put("platform", v.isTorchScript() ? "pytorch_torchscript" : "djl_pytorch");
		body.put("inputs", List.of(tensor("input", "FP32", List.of(-1L, 3L, (long) size, (long) size)),
				tensor("image", "BYTES", List.of(-1L))));
		body.put("outputs", List.of(tensor(OUTPUT, "FP32", List.of(-1L, (long) v.labels().size()))));
		Map<String, Object> parameters = new LinkedHashMap<>(Map.of("task", v.task(), "version", v.version(),
				"labels", v.labels(), "preprocessing", v.preprocessing(), "precision", v.precision()));
		Agreement agreement = manager.agreement(v);
		if (agreement != null) {
			parameters.put("agreement", agreement);
		}
		body.put("parameters", parameters);
		return body;
	}

	Map<String, Object> ready(String name, Integer version) {
		if (forecasting(name, version)) {
			return forecasts.ready(ref(name, version));
		}
		ModelVersion v = classifier.resolve(ref(name, version));
		return Map.of("name", v.name(), "version", Integer.toString(v.version()), "ready", true, "loaded",
				classifier.isLoaded(v));
	}

	/**
	 * Resolves the version first, so that its input limits bound the body as it is read: an unknown model costs
	 * nothing, and a request too large for its version is refused by its length or at its shape.
	 * @param declaredLength the body's {@code Content-Length}, -1 when it has none
	 */
	Map<String, Object> infer(String name, Integer version, InputStream body, long declaredLength)
			throws IOException {
		String ref = ref(name, version);
		if (forecasting(name, version)) {
			ModelVersion v = forecasts.resolve(ref);
			int rows = manager.queueSize(v);
			TensorLimits limits = new TensorLimits(rows, Math.min(this.limits.maxTensorElements(),
					(long) rows * forecasts.inputElements(v)), 0);
			return forecasts.infer(v.ref(), TensorReader.read(body, declaredLength, limits, v.ref()));
		}
		ModelVersion v = classifier.resolve(ref);
		int size = v.preprocessing().imageSize();
		int rows = manager.queueSize(v);
		TensorLimits limits = new TensorLimits(rows, Math.min(this.limits.maxTensorElements(),
				(long) rows * 3 * size * size), this.limits.maxImageBytes().toBytes());
		TensorRequest request = TensorReader.read(body, declaredLength, limits, v.ref());
		Inference<float[]> result = classifier.classifyTensors(v.ref(), resolved -> images(request, resolved));
		int classes = v.labels().size();
		float[] data = new float[result.outputs().size() * classes];
		for (int i = 0; i < result.outputs().size(); i++) {
			System.arraycopy(result.outputs().get(i), 0, data, i * classes, classes);
		}
		Map<String, Object> response = new LinkedHashMap<>();
		response.put("model_name", v.name());
		response.put("model_version", Integer.toString(v.version()));
		if (request.id() != null) {
			response.put("id", request.id());
		}
		response.put("outputs", List.of(Map.of("name", OUTPUT, "datatype", "FP32", "shape",
				List.of(result.outputs().size(), classes), "data", data)));
		response.put("parameters", Map.of("labels", v.labels(), "queue_ms", result.queueMs(), "inference_ms",
				result.inferenceMs()));
		return response;
	}

	private List<float[]> images(TensorRequest request, ModelVersion v) {
		if (v.task() != Task.IMAGE_CLASSIFICATION) {
			throw TensorRequest.invalid(v.ref() + " is a " + v.task() + " model");
		}
		int size = v.preprocessing().imageSize();
		List<Long> shape = request.shape();
		if ("BYTES".equals(request.datatype())) {
			return encodedImages(request, v);
		}
		if (!"FP32".equals(request.datatype())) {
			throw TensorRequest.invalid("datatype must be FP32 (preprocessed NCHW images) or BYTES (base64 images), "
					+ "not " + request.datatype());
		}
		if (shape.size() != 4 || shape.get(1) != 3 || shape.get(2) != size || shape.get(3) != size) {
			throw TensorRequest.invalid(v.ref() + " takes FP32 [N, 3, " + size + ", " + size + "]; the shape was "
					+ shape);
		}
		int n = shape.get(0).intValue();
		int each = 3 * size * size;
		float[] all = request.floats(n * each);
		List<float[]> images = new ArrayList<>(n);
		for (int i = 0; i < n; i++) {
			float[] image = new float[each];
			System.arraycopy(all, i * each, image, 0, each);
			images.add(image);
		}
		return images;
	}

	private List<float[]> encodedImages(TensorRequest request, ModelVersion v) {
		if (request.shape().size() > 2 || (request.shape().size() == 2 && request.shape().get(1) != 1)
				|| request.numbers().length > 0 || request.items().size() != request.shape().get(0)) {
			throw TensorRequest.invalid("BYTES input takes shape [N] with N base64 image strings");
		}
		List<float[]> images = new ArrayList<>();
		for (byte[] bytes : request.items()) {
			images.add(classifier.preprocess(new ByteArrayInputStream(bytes), v));
		}
		return images;
	}

	/** Serving dispatches on the task of the version the reference names, resolved as every endpoint resolves it. */
	private boolean forecasting(String name, Integer version) {
		return manager.resolve(ref(name, version)).task() == Task.FORECASTING;
	}

	private List<String> readyVersions(String name) {
		return registry.get(name)
			.versions()
			.stream()
			.filter(mv -> mv.status() == ModelVersion.Status.READY)
			.map(mv -> Integer.toString(mv.version()))
			.toList();
	}

	private static String ref(String name, Integer version) {
		return version == null ? name : name + ":" + version;
	}

	private static Map<String, Object> tensor(String name, String datatype, List<Long> shape) {
		return Map.of("name", name, "datatype", datatype, "shape", shape);
	}

}
