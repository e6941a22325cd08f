package io.deepserve.registry;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * One immutable, numbered version of a model: what it is, how to feed it, where it came from, and the digest of
 * its artifact.
 */
public record ModelVersion(String name, int version, Task task, String architecture, ArtifactFormat format,
		List<Long> inputShape, List<String> labels, Preprocessing preprocessing, ForecastSpec forecast,
		Map<String, Object> metrics, Lineage lineage, Map<String, Object> serving, String sha256, long sizeBytes,
		Long parameters, Instant createdAt, Status status, @JsonIgnore String artifactKey,
		ArchitectureOptions architectureOptions) {

	/** {@code serving.precision}: the default. */
	public static final String FP32 = "fp32";

	/** {@code serving.precision}: bfloat16 weights and activations, measured against fp32 before serving. */
	public static final String BF16 = "bf16";

	/**
	 * {@code serving.precision}: a network quantized to int8 in PyTorch and imported as TorchScript, measured against
	 * its float32 version ({@code serving.agreementReference}) before serving.
	 */
	public static final String INT8 = "int8";

	/**
	 * The fewest of the held-out images on which a reduced precision must pick fp32's class, unless {@code serving}
	 * says.
	 */
	public static final double DEFAULT_MIN_AGREEMENT = 0.99;

	/** A version whose network has its architecture's default shape. */
	public ModelVersion(String name, int version, Task task, String architecture, ArtifactFormat format,
			List<Long> inputShape, List<String> labels, Preprocessing preprocessing, ForecastSpec forecast,
			Map<String, Object> metrics, Lineage lineage, Map<String, Object> serving, String sha256, long sizeBytes,
			Long parameters, Instant createdAt, Status status, String artifactKey) {
		this(name, version, task, architecture, format, inputShape, labels, preprocessing, forecast, metrics, lineage,
				serving, sha256, sizeBytes, parameters, createdAt, status, artifactKey, null);
	}

	/** The options, {@link ArchitectureOptions#NONE} where none were given. */
	public ArchitectureOptions architectureOptionsOrNone() {
		return ArchitectureOptions.orNone(architectureOptions);
	}

	/** Only a READY version serves or is a base; the names are the stored and written values. */
	public enum Status {

		READY, FAILED

	}

	/** {@code name:version}, the form used in lineage, job results and inference responses. */
	public String ref() {
		return name + ":" + version;
	}

	/** {@code serving.precision}, {@link #FP32} where not given. */
	@JsonIgnore
	public String precision() {
		Object precision = serving == null ? null : serving.get("precision");
		return precision == null ? FP32 : precision.toString();
	}

	/** {@code serving.minAgreement}, or {@link #DEFAULT_MIN_AGREEMENT}. */
	@JsonIgnore
	public double minAgreement() {
		Object min = serving == null ? null : serving.get("minAgreement");
		return min instanceof Number n ? n.doubleValue() : DEFAULT_MIN_AGREEMENT;
	}

	/** The dataset reduced precision is measured on: {@code serving.agreementDataset}, else the training one. */
	@JsonIgnore
	public String agreementDataset() {
		Object named = serving == null ? null : serving.get("agreementDataset");
		if (named != null) {
			return named.toString();
		}
		return lineage == null ? null : lineage.datasetId();
	}

	/**
	 * {@code serving.agreementReference}: the float32 version ({@code name:version}) an int8 version is compared with;
	 * null where none is named.
	 */
	@JsonIgnore
	public String agreementReference() {
		Object reference = serving == null ? null : serving.get("agreementReference");
		return reference == null ? null : reference.toString();
	}

	@JsonIgnore
	public boolean isTorchScript() {
		return format == ArtifactFormat.TORCHSCRIPT;
	}

}
