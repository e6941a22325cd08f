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
		Long parameters, Instant createdAt, Status status, @JsonIgnore String artifactKey) {

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
