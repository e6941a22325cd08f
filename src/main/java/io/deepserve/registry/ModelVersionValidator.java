package io.deepserve.registry;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.deepserve.error.DeepserveException;
import io.deepserve.error.InvalidInputException;

/** Checks a {@link NewModelVersion} before anything is stored; every failure is a 400 {@code invalid_metadata}. */
final class ModelVersionValidator {

	/** The bounds of each {@code serving} setting, as README states them. */
	private static final Map<String, long[]> SERVING_BOUNDS = Map.of("workers", new long[] { 1, 64 }, "queueSize",
			new long[] { 1, 100_000 }, "maxBatchSize", new long[] { 1, 1024 }, "maxBatchDelayMs",
			new long[] { 0, 10_000 }, "timeoutMs", new long[] { 1, 3_600_000 }, "threads", new long[] { 0, 1024 });

	/** API.md's {@code serving.precision}, checked here so a typo is not served as fp32. */
	private static final List<String> PRECISIONS = List.of(ModelVersion.FP32, ModelVersion.BF16, ModelVersion.INT8);

	/** {@code serving.agreementReference}: one numbered version, since an alias may move to another network. */
	private static final Pattern VERSION_REF = Pattern.compile("^[a-z0-9][a-z0-9._-]{0,63}:[1-9][0-9]{0,8}$");

	private static final Set<String> SERVING_SETTINGS = new TreeSet<>(Stream
		.concat(SERVING_BOUNDS.keySet().stream(),
				Stream.of("precision", "minAgreement", "agreementDataset", "agreementReference"))
		.toList());

	private static final Pattern ARCHITECTURE = Pattern.compile("^[a-z0-9][a-z0-9._-]{0,63}$");

	private ModelVersionValidator() {
	}

	static void validate(NewModelVersion spec) {
		if (spec == null) {
			throw invalid("metadata is required");
		}
		if (spec.architecture() == null || !ARCHITECTURE.matcher(spec.architecture()).matches()) {
			throw invalid("architecture must be a lower-case word such as resnet18 or torchscript");
		}
		if (spec.task() == null) {
			throw invalid("task must be one of " + Task.ids());
		}
		switch (spec.task()) {
			case IMAGE_CLASSIFICATION -> validateClassifier(spec);
			case FORECASTING -> validateForecaster(spec.forecast());
		}
		if (spec.inputShape() != null && spec.inputShape().stream().anyMatch(d -> d == null || d < -1 || d == 0)) {
			throw invalid("inputShape dimensions must be positive (or -1 for any)");
		}
		validateServing(spec.serving());
		validatePrecision(spec);
	}

	/**
	 * A reduced precision is measured against fp32 on held-out images before it serves, so it needs images: the
	 * dataset the version was trained on, or one named by {@code serving.agreementDataset}. int8 is a network
	 * quantized elsewhere, so its fp32 is another version: {@code serving.agreementReference}.
	 */
	private static void validatePrecision(NewModelVersion spec) {
		Map<String, Object> serving = spec.serving() == null ? Map.of() : spec.serving();
		Object precision = serving.get("precision");
		boolean int8 = ModelVersion.INT8.equals(precision);
		if (!int8 && serving.containsKey("agreementReference")) {
			throw invalid("serving.agreementReference applies to serving.precision int8 only");
		}
		if (!int8 && !ModelVersion.BF16.equals(precision)) {
			if (serving.containsKey("minAgreement") || serving.containsKey("agreementDataset")) {
				throw invalid("serving.minAgreement and serving.agreementDataset apply to serving.precision bf16 "
						+ "and int8 only");
			}
			return;
		}
		if (spec.task() != Task.IMAGE_CLASSIFICATION) {
			throw invalid("serving.precision " + precision + " is offered for image classifiers only");
		}
		if (int8 && !(serving.get("agreementReference") instanceof String reference
				&& VERSION_REF.matcher(reference).matches())) {
			throw new InvalidInputException("agreement_reference_required", "serving.precision int8 serves a "
					+ "network quantized in PyTorch, measured against its float32 version before it serves: name "
					+ "that version in serving.agreementReference as name:version, not "
					+ serving.get("agreementReference"));
		}
		boolean trainedOnADataset = spec.lineage() != null && spec.lineage().datasetId() != null;
		if (!trainedOnADataset && serving.get("agreementDataset") == null) {
			throw new InvalidInputException("agreement_dataset_required", "serving.precision " + precision + " is "
					+ "measured against fp32 on held-out images before it serves: name an image dataset (its id or "
					+ "name) in serving.agreementDataset");
		}
	}

	/** Refused at import rather than replaced by the defaults at serve time, where only a log line would say so. */
	private static void validateServing(Map<String, Object> serving) {
		if (serving == null) {
			return;
		}
		for (Map.Entry<String, Object> setting : serving.entrySet()) {
			if (setting.getKey().equals("precision")) {
				if (!PRECISIONS.contains(setting.getValue())) {
					throw invalid("serving.precision must be one of " + PRECISIONS + ", not " + setting.getValue());
				}
				continue;
			}
			if (setting.getKey().equals("minAgreement")) {
				if (!(setting.getValue() instanceof Number n) || !(n.doubleValue() >= 0 && n.doubleValue() <= 1)) {
					throw invalid("serving.minAgreement must be a number from 0 to 1, not " + setting.getValue());
				}
				continue;
			}
			if (setting.getKey().equals("agreementReference")) {
				continue; // checked with the precision it belongs to
			}
			if (setting.getKey().equals("agreementDataset")) {
				if (!(setting.getValue() instanceof String s) || s.isBlank() || s.length() > 200) {
					throw invalid("serving.agreementDataset must be a dataset's id or name, not "
							+ setting.getValue());
				}
				continue;
			}
			long[] bounds = SERVING_BOUNDS.get(setting.getKey());
			if (bounds == null) {
				throw new InvalidInputException("unknown_field", "unknown field 'serving." + setting.getKey()
						+ "' in the metadata part; the serving settings are " + SERVING_SETTINGS);
			}
			Object value = setting.getValue();
			if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() < bounds[0]
					|| ((Number) value).longValue() > bounds[1]) {
				throw invalid("serving." + setting.getKey() + " must be a whole number from " + bounds[0] + " to "
						+ bounds[1] + ", not " + value);
			}
		}
	}

	private static void validateClassifier(NewModelVersion spec) {
		List<String> labels = spec.labels();
		if (labels == null || labels.size() < 2) {
			throw invalid("an image classifier needs at least 2 labels");
		}
		if (labels.stream().anyMatch(l -> l == null || l.isBlank()) || new HashSet<>(labels).size() != labels.size()) {
			throw invalid("labels must be non-blank and unique");
		}
		Preprocessing p = spec.preprocessing();
		if (p == null || p.imageSize() == null || p.imageSize() < 8 || p.imageSize() > 4096) {
			throw invalid("preprocessing.imageSize (8 to 4096) is required for an image classifier");
		}
		if (p.resize() != null && p.resize() < p.imageSize()) {
			throw invalid("preprocessing.resize must be at least imageSize");
		}
		if (p.resizeMethod() != null && !Preprocessing.RESIZE_METHODS.contains(p.resizeMethod())) {
			throw invalid("preprocessing.resizeMethod must be one of " + Preprocessing.RESIZE_METHODS);
		}
		checkChannels("mean", p.mean());
		checkChannels("std", p.std());
		if (p.std() != null && p.std().stream().anyMatch(s -> s <= 0)) {
			throw invalid("preprocessing.std values must be positive");
		}
	}

	private static void checkChannels(String field, List<Float> values) {
		if (values != null && (values.size() != 3 || values.stream().anyMatch(v -> v == null || !Float.isFinite(v)))) {
			throw invalid("preprocessing." + field + " must hold 3 finite numbers (R, G, B)");
		}
	}

	private static void validateForecaster(ForecastSpec forecast) {
		if (forecast == null || forecast.window() == null || forecast.horizon() == null) {
			throw invalid("a forecaster needs forecast.window and forecast.horizon");
		}
		if (forecast.window() < 1 || forecast.window() > 100_000 || forecast.horizon() < 1
				|| forecast.horizon() > 10_000) {
			throw invalid("forecast.window must be 1 to 100000 and forecast.horizon 1 to 10000");
		}
	}

	private static DeepserveException invalid(String detail) {
		return new InvalidInputException("invalid_metadata", detail);
	}

}
