package io.deepserve.inference;

import java.util.List;

/**
 * Runs batches for one worker thread. Each worker owns its handler (and so its DJL {@code Predictor}, which is
 * not thread-safe); the pool never calls one handler from two threads.
 */
public interface BatchHandler<I, O> extends AutoCloseable {

	/** One output per input, in order. Every NDArray made here must be closed before returning. */
	List<O> run(List<I> inputs);

	@Override
	void close();

}
