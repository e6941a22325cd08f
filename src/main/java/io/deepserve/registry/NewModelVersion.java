package io.deepserve.registry;

import java.util.List;
import java.util.Map;

/**
 * The description of a version to register: the {@code metadata} part of an import, or what a training job
 * produced. The registry adds the number, digest, size and time.
 */
public record NewModelVersion(Task task, String architecture, List<Long> inputShape, List<String> labels,
		Preprocessing preprocessing, ForecastSpec forecast, Map<String, Object> metrics, Lineage lineage,
		Map<String, Object> serving, Long parameters, ArchitectureOptions architectureOptions) {

	/** The architecture of a TorchScript import, and of a model trained on one: its network is opaque. */
	public static final String TORCHSCRIPT = ArtifactFormat.TORCHSCRIPT.id();

	/** A version whose network has its architecture's default shape. */
	public NewModelVersion(Task task, String architecture, List<Long> inputShape, List<String> labels,
			Preprocessing preprocessing, ForecastSpec forecast, Map<String, Object> metrics, Lineage lineage,
			Map<String, Object> serving, Long parameters) {
		this(task, architecture, inputShape, labels, preprocessing, forecast, metrics, lineage, serving, parameters,
				null);
	}

	public NewModelVersion withParameters(Long count) {
		return new NewModelVersion(task, architecture, inputShape, labels, preprocessing, forecast, metrics, lineage,
				serving, count, architectureOptions);
	}

	/** The options, {@link ArchitectureOptions#NONE} where none were given. */
	public ArchitectureOptions architectureOptionsOrNone() {
		return ArchitectureOptions.orNone(architectureOptions);
	}

}
