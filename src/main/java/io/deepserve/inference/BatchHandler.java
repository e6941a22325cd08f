package io.deepserve.inference;

import java.util.List;

import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;

/**
 * Runs batches for one worker thread. Each worker owns its handler (and so its DJL {@code Predictor}, which is
 * not thread-safe); the pool never calls one handler from two threads.
 */
public interface BatchHandler<I, O> extends AutoCloseable {

	/** One output per input, in order. Every NDArray made here must be closed before returning. */
	List<O> run(List<I> inputs);

	/**
	 * Called on the worker's thread once it has sat idle a while, so it can give back what only a busy worker
	 * needs; the next {@link #run} takes it again.
	 */
	default void rest() {
	}

	@Override
	void close();

	/** A handler that runs each batch as one call of {@code predictor}, which it owns and closes. */
	static BatchHandler<float[], float[]> of(Predictor<List<float[]>, float[][]> predictor) {
		return new BatchHandler<>() {
			@Override
			public List<float[]> run(List<float[]> inputs) {
				try {
					return List.of(predictor.predict(inputs));
				}
				catch (TranslateException ex) {
					throw new IllegalStateException(ex.getMessage(), ex);
				}
			}

			@Override
			public void rest() {
				OpenMpTeams.releaseCurrentThread();
			}

			@Override
			public void close() {
				predictor.close();
			}
		};
	}

}
