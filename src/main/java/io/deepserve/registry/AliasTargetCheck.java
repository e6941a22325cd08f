package io.deepserve.registry;

import io.deepserve.error.DeepserveException;

/**
 * Readies a version to take an alias's traffic before the alias moves onto it, so a version that cannot serve never
 * gets the traffic. Implemented outside the registry, where serving lives.
 */
public interface AliasTargetCheck {

	/**
	 * Returns once {@code target} is loaded and warm, or at once where nothing here serves it.
	 * @throws io.deepserve.error.DeepserveException {@code 409} when it cannot serve, {@code 503 model_loading} when
	 * it is not warm within the configured time
	 */
	void prepare(ModelVersion target);

}
