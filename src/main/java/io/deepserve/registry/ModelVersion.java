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

	@JsonIgnore
	public boolean isTorchScript() {
		return format == ArtifactFormat.TORCHSCRIPT;
	}

}
