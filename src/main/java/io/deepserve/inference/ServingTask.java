package io.deepserve.inference;

import java.util.List;

import ai.djl.Model;

import io.deepserve.registry.ModelVersion;
import io.deepserve.registry.Task;

/**
 * What a task (image classification, forecasting, ...) plugs into the {@link WorkloadManager}: how a worker turns
 * a loaded model into a {@link BatchHandler}, and a harmless input to warm it with. Inputs arrive already checked
 * and preprocessed on the request thread, so a handler only does tensor work.
 *
 * @param <I> one request's model-ready input
 * @param <O> one request's output
 */
public interface ServingTask<I, O> {

	/**
	 * A loaded model's property ({@code Model.getProperty}) naming the precision its parameters were converted to;
	 * absent for float32. A handler casts its inputs to match.
	 */
	String PRECISION_PROPERTY = "deepserve.precision";

	/** The {@code task} of the versions this serves, e.g. {@code image-classification}. */
	Task task();

	/** Called once on each worker thread, which then owns the handler and closes it. */
	BatchHandler<I, O> newHandler(Model model, ModelVersion version);

	/**
	 * Threads each worker's parallel operations use unless the version's {@code serving.threads} says otherwise; 0
	 * leaves the engine's (every core).
	 */
	default int defaultThreads() {
		return 0;
	}

	/**
	 * A handler whose batches of at least {@code channelsLastFromBatch} inputs go in channels-last memory order (0:
	 * never), for a task that {@linkplain #offersChannelsLast offers} it; others ignore the number.
	 */
	default BatchHandler<I, O> newHandler(Model model, ModelVersion version, int channelsLastFromBatch) {
		return newHandler(model, version);
	}

	/** The batch size from which batches go channels-last unless tuning says otherwise; 0 is never. */
	default int channelsLastFromBatch() {
		return 0;
	}

	/** Whether this version's batches may go channels-last here, so a tuning search tries both orders. */
	default boolean offersChannelsLast(Model model, ModelVersion version) {
		return false;
	}

	/**
	 * Whether a version's serving settings are measured at load ({@code deepserve.inference.autotune}); false keeps
	 * the configured ones.
	 */
	default boolean autotunes() {
		return false;
	}

	/**
	 * Whether versions of this task may be served at {@code bf16}. Such a task's outputs are probabilities, one
	 * {@code float[]} per input, compared with fp32's before the version serves.
	 */
	default boolean offersReducedPrecision() {
		return false;
	}

	/**
	 * Up to {@code max} model-ready inputs made from held-out examples of the dataset {@code dataset} (an id or a
	 * name), to compare a reduced precision with fp32 on.
	 * @throws io.deepserve.error.DeepserveException when the dataset is missing or does not fit the version
	 */
	default List<I> agreementSample(ModelVersion version, String dataset, int max) {
		throw new UnsupportedOperationException(task() + " offers no reduced precision");
	}

	/** An input of the right shape for a dummy batch, run by each worker before the version takes traffic. */
	I warmupInput(ModelVersion version);

}
