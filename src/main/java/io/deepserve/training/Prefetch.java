package io.deepserve.training;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * A job's batches of host data (decoded and augmented pixels) made one ahead, on a thread of its own, while the
 * training thread runs the current batch's forward, backward and step (issue 17).
 * <p>
 * Batches are made one at a time, each only after the one before it was taken, so a seeded augmentation draws
 * exactly what it would draw on the training thread, and what the maker keeps between batches (the decoded-image
 * cache) is never used by two threads at once: each make finishes before the take that returns it, and the next
 * make starts after that take. The thread never calls the engine (the training thread makes the tensor), so no
 * OpenMP team forms on it. At most one batch is made ahead of the one training.
 */
public final class Prefetch<T> implements AutoCloseable {

	private final IntFunction<T> make;

	/** null: every batch is made on the training thread, when taken */
	private final ExecutorService thread;

	private Future<T> pending;

	private int pendingIndex = -1;

	private long aheadNanos;

	private int madeAhead;

	private long waitedNanos;

	private int taken;

	/**
	 * @param ahead false makes each batch when it is taken, on the caller's thread
	 * @param name the prefetch thread's name
	 * @param make the batch at an index; called in the order of the indices taken
	 */
	public Prefetch(boolean ahead, String name, IntFunction<T> make) {
		this.make = make;
		this.thread = ahead ? Executors.newSingleThreadExecutor(task -> {
			Thread made = new Thread(task, name);
			made.setDaemon(true);
			return made;
		}) : null;
	}

	/**
	 * The batch at {@code index}, made now unless it was made ahead; then starts making the batch at {@code next}.
	 * @param next the batch taken after this one; negative for none (the last of an epoch)
	 */
	public T take(int index, int next) {
		long started = System.nanoTime();
		T batch;
		if (pending != null && pendingIndex == index) {
			batch = await(pending);
		}
		else {
			if (pending != null) {
				await(pending); // made for an index not taken: nothing else may run beside the make below
			}
			batch = make.apply(index);
		}
		pending = null;
		waitedNanos += System.nanoTime() - started;
		taken++;
		if (thread != null && next >= 0) {
			pendingIndex = next;
			pending = thread.submit(() -> {
				long making = System.nanoTime();
				T ahead = make.apply(next);
				aheadNanos += System.nanoTime() - making;
				madeAhead++;
				return ahead;
			});
		}
		return batch;
	}

	/** Time the caller spent in {@link #take}: waiting for a batch made ahead, or making it itself. */
	public long waitedNanos() {
		return waitedNanos;
	}

	/** Time the prefetch thread spent making batches; read after {@link #close}. */
	public long aheadNanos() {
		return aheadNanos;
	}

	/** Batches the prefetch thread made, taken or not; read after {@link #close}. */
	public int madeAhead() {
		return madeAhead;
	}

	public int taken() {
		return taken;
	}

	private static <T> T await(Future<T> future) {
		try {
			return future.get();
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof RuntimeException runtime) {
				throw runtime;
			}
			if (ex.getCause() instanceof Error error) {
				throw error;
			}
			throw new IllegalStateException("making a batch failed: " + ex.getCause(), ex.getCause());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted while waiting for the next batch", ex);
		}
	}

	/** Waits for a batch still being made (its maker's state is the caller's again after), then ends the thread. */
	@Override
	public void close() {
		if (thread == null) {
			return;
		}
		thread.shutdown();
		try {
			thread.awaitTermination(Long.MAX_VALUE, TimeUnit.NANOSECONDS);
		}
		catch (InterruptedException ex) {
			thread.shutdownNow();
			Thread.currentThread().interrupt();
		}
	}

}
