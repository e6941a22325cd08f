package io.deepserve.inference;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import ai.djl.Model;

import io.deepserve.registry.ModelVersion;

/**
 * Measures a candidate the way its pool would run under a backlog: {@code workers} fresh threads, each with its own
 * handler (its own predictor) and its threads set as a worker's are, run full batches of the version's warm-up
 * input side by side. Each runs one batch untimed first (a new predictor's and a new shape's first call is slow);
 * then all start together, and each runs batches until {@code window} has passed or it has run {@link #MAX_CALLS}. The rate is every item run over
 * the time until the last of them finished. Fresh threads each time, so no candidate inherits another's OpenMP team.
 */
final class MeasuredTrial<I, O> implements ServingSearch.Trial {

	/**
	 * Timed batches per worker at most, so a small network (thousands of batches a second) is measured in
	 * milliseconds rather than a whole window; a large one reaches the window first.
	 */
	static final int MAX_CALLS = 32;

	private final Model model;

	private final ServingTask<I, O> task;

	private final ModelVersion version;

	private final Duration window;

	MeasuredTrial(Model model, ServingTask<I, O> task, ModelVersion version, Duration window) {
		this.model = model;
		this.task = task;
		this.version = version;
		this.window = window;
	}

	@Override
	public double itemsPerSecond(ServingSearch.Candidate candidate) throws Exception {
		List<I> batch = Collections.nCopies(candidate.maxBatchSize(), task.warmupInput(version));
		int workers = candidate.workers();
		CountDownLatch warm = new CountDownLatch(workers);
		CountDownLatch go = new CountDownLatch(1);
		long[] items = new long[workers];
		long[] finished = new long[workers];
		long[] started = new long[1];
		AtomicReference<Throwable> failure = new AtomicReference<>();
		List<Thread> threads = new ArrayList<>(workers);
		for (int w = 0; w < workers; w++) {
			int slot = w;
			Thread thread = new Thread(() -> {
				try {
					if (candidate.threads() > 0) {
						OpenMpTeams.limitCurrentThread(candidate.threads());
					}
					try (BatchHandler<I, O> handler = task.newHandler(model, version,
							candidate.channelsLastFromBatch())) {
						handler.run(batch);
						warm.countDown();
						go.await();
						long until = started[0] + window.toNanos();
						long done = 0;
						int calls = 0;
						do {
							done += handler.run(batch).size();
							calls++;
						}
						while (System.nanoTime() - until < 0 && calls < MAX_CALLS && failure.get() == null);
						items[slot] = done;
						finished[slot] = System.nanoTime();
					}
				}
				catch (Throwable ex) {
					failure.compareAndSet(null, ex);
				}
				finally {
					warm.countDown();
				}
			}, "tune-" + version.ref() + "-" + w);
			thread.setDaemon(true);
			threads.add(thread);
			thread.start();
		}
		warm.await();
		started[0] = System.nanoTime();
		go.countDown();
		for (Thread thread : threads) {
			thread.join(TimeUnit.MINUTES.toMillis(2));
		}
		Throwable ex = failure.get();
		if (ex instanceof Exception e) {
			throw e;
		}
		if (ex != null) {
			throw new IllegalStateException(ex);
		}
		long total = 0;
		long last = started[0];
		for (int w = 0; w < workers; w++) {
			total += items[w];
			last = Math.max(last, finished[w]);
		}
		return total / ((last - started[0]) / 1e9);
	}

}
