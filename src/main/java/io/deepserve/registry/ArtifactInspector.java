package io.deepserve.registry;

import java.nio.file.Path;

import io.deepserve.error.DeepserveException;

/**
 * Opens an artifact with the deep-learning engine before it is registered, so a file that cannot be served is
 * refused at import rather than at the first request. Implemented outside the registry, where the engine lives.
 */
public interface ArtifactInspector {

	/**
	 * Loads the artifact, and runs a classifier on one blank image to see it answers one score per label.
	 * @param artifact a TorchScript file, or the extracted folder of a DJL model zip (holding its .params file)
	 * @return the number of parameters the model holds
	 * @throws io.deepserve.error.DeepserveException {@code 400 invalid_artifact} when the engine cannot load or run
	 * it, {@code 400 labels_mismatch} when a classifier's scores and labels differ in number
	 */
	long inspect(NewModelVersion spec, ArtifactFormat format, Path artifact);

}
