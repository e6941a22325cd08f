package io.deepserve.inference;

import java.util.List;
import java.util.function.IntConsumer;
import java.util.function.IntSupplier;

/**
 * A worker's handler for a version whose tuning search chose to share the cores out among its workers: before each
 * batch, the worker's parallel operations are set to the cores over the workers live now, never fewer than the share
 * the search chose. Under load every worker runs, each with its share, as measured. At low load the pool keeps one
 * worker, which then has every core, so a lone request is not held to one core's speed.
 */
final class SharedCores<I, O> implements BatchHandler<I, O> {

	private final BatchHandler<I, O> handler;

	private final IntSupplier liveWorkers;

	private final int cores;

	private final int share;

	/** Sets the calling thread's team ({@link OpenMpTeams#limitCurrentThread}). */
	private final IntConsumer limit;

	/** The team this worker's thread has now. */
	private int threads;

	/** @param share the threads each worker had when the search measured them all running; set on this thread */
	SharedCores(BatchHandler<I, O> handler, IntSupplier liveWorkers, int cores, int share, IntConsumer limit) {
		this.handler = handler;
		this.liveWorkers = liveWorkers;
		this.cores = cores;
		this.share = share;
		this.limit = limit;
		this.threads = share;
	}

	@Override
	public List<O> run(List<I> inputs) {
		int want = Math.max(share, cores / Math.max(1, liveWorkers.getAsInt()));
		if (want != threads) {
			limit.accept(want);
			threads = want;
		}
		return handler.run(inputs);
	}

	@Override
	public void rest() {
		handler.rest();
	}

	@Override
	public void close() {
		handler.close();
	}

}
