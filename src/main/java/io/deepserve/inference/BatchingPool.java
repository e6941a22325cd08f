package io.deepserve.inference;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpStatus;

import io.deepserve.web.ApiException;
import io.deepserve.web.RetryableApiException;

/**
 * A bounded queue and a fixed set of worker threads for one loaded version. Each worker takes the oldest request,
 * then up to {@code maxBatchSize - 1} more that arrive within {@code maxBatchDelayMs} of the first one's arrival
 * (under a backlog that deadline has passed, so a worker never waits while requests queue), drops those past their
 * deadline, and runs the rest as one batch. It waits only while more requests are on their way (accepted by the
 * server but not yet queued), so a lone request never pays the delay. Knows nothing of tasks or tensors: the
 * {@link BatchHandler} does.
 */
final class BatchingPool<I, O> {

	private static final Logger log = LoggerFactory.getLogger(BatchingPool.class);

	/** What a request learns besides its output. */
	record Result<O>(O output, long queueNanos, long inferenceNanos, int batchSize) {
	}

	private record Job<I, O>(I input, long enqueuedNanos, long deadlineNanos, CompletableFuture<Result<O>> future) {
	}

	private final String name;

	private final PoolSettings settings;

	private final BlockingQueue<Job<I, O>> queue;

	private final List<Thread> workers = new ArrayList<>();

	private final IntConsumer batchSizes;

	private final IntSupplier inFlight;

	private volatile boolean stopping;

	/**
	 * @param inFlight requests on their way to or in this pool, the ones in a batch being filled included
	 */
	BatchingPool(String name, PoolSettings settings, IntConsumer batchSizes, IntSupplier inFlight) {
		this.name = name;
		this.settings = settings;
		this.queue = new ArrayBlockingQueue<>(settings.queueSize());
		this.batchSizes = batchSizes;
		this.inFlight = inFlight;
	}

	/**
	 * Starts the workers; each creates its own handler and runs {@code warmup} through it before taking requests.
	 * Returns once every worker is warm, or throws (and stops them all) if one could not warm up.
	 */
	void start(Supplier<BatchHandler<I, O>> handlers, I warmup) {
		CountDownLatch warm = new CountDownLatch(settings.workers());
		AtomicReference<Throwable> failure = new AtomicReference<>();
		for (int i = 0; i < settings.workers(); i++) {
			Thread thread = new Thread(() -> work(handlers, warmup, warm, failure), "infer-" + name + "-" + i);
			thread.setDaemon(true);
			workers.add(thread);
			thread.start();
		}
		try {
			warm.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			failure.compareAndSet(null, ex);
		}
		if (failure.get() != null) {
			stop(Duration.ZERO);
			throw new IllegalStateException(name + " failed its warm-up batch: " + failure.get().getMessage(),
					failure.get());
		}
	}

	/**
	 * Queues one request; never blocks.
	 * @throws RetryableApiException 503 {@code queue_full} when the queue is at capacity
	 */
	CompletableFuture<Result<O>> submit(I input) {
		long now = System.nanoTime();
		Job<I, O> job = new Job<>(input, now, now + settings.timeout().toNanos(), new CompletableFuture<>());
		if (stopping || !queue.offer(job)) {
			throw new RetryableApiException(HttpStatus.SERVICE_UNAVAILABLE, "queue_full", name + " has "
					+ settings.queueSize() + " requests waiting already; retry shortly", 1);
		}
		return job.future();
	}

	int queueDepth() {
		return queue.size();
	}

	PoolSettings settings() {
		return settings;
	}

	/** Lets the workers finish what is queued (up to {@code drain}), then stops them; each closes its handler. */
	void stop(Duration drain) {
		stopping = true;
		long until = System.nanoTime() + drain.toNanos();
		for (Thread worker : workers) {
			try {
				worker.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime())));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			worker.interrupt();
		}
		for (Thread worker : workers) {
			try {
				worker.join(5_000);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		for (Job<I, O> left; (left = queue.poll()) != null;) {
			left.future().completeExceptionally(unavailable("was unloaded before this request could run"));
		}
	}

	private void work(Supplier<BatchHandler<I, O>> handlers, I warmup, CountDownLatch warm,
			AtomicReference<Throwable> failure) {
		BatchHandler<I, O> handler;
		try {
			handler = handlers.get();
		}
		catch (RuntimeException | Error ex) {
			failure.compareAndSet(null, ex);
			warm.countDown();
			return;
		}
		try (handler) {
			try {
				handler.run(List.of(warmup));
			}
			catch (RuntimeException | Error ex) {
				failure.compareAndSet(null, ex);
				return;
			}
			finally {
				warm.countDown();
			}
			while (!(stopping && queue.isEmpty())) {
				List<Job<I, O>> batch = nextBatch();
				if (!batch.isEmpty()) {
					run(handler, batch);
				}
			}
		}
		catch (InterruptedException ex) {
			// stop() gave up waiting for the queue to drain
		}
	}

	private List<Job<I, O>> nextBatch() throws InterruptedException {
		List<Job<I, O>> batch = new ArrayList<>(settings.maxBatchSize());
		Job<I, O> first = queue.poll(100, TimeUnit.MILLISECONDS);
		if (first == null) {
			return batch;
		}
		batch.add(first);
		long until = first.enqueuedNanos() + TimeUnit.MILLISECONDS.toNanos(settings.maxBatchDelayMs());
		while (batch.size() < settings.maxBatchSize()) {
			long wait = until - System.nanoTime();
			boolean moreComing = inFlight.getAsInt() > batch.size();
			Job<I, O> next = wait > 0 && moreComing ? queue.poll(wait, TimeUnit.NANOSECONDS) : queue.poll();
			if (next == null) {
				break;
			}
			batch.add(next);
		}
		return batch;
	}

	private void run(BatchHandler<I, O> handler, List<Job<I, O>> taken) {
		long start = System.nanoTime();
		List<Job<I, O>> batch = new ArrayList<>(taken.size());
		for (Job<I, O> job : taken) {
			if (start - job.deadlineNanos() > 0) {
				job.future().completeExceptionally(new RetryableApiException(HttpStatus.SERVICE_UNAVAILABLE,
						"deadline_exceeded", "the request waited " + TimeUnit.NANOSECONDS.toMillis(start
								- job.enqueuedNanos()) + " ms in " + name + "'s queue, past its "
								+ settings.timeout().toMillis() + " ms deadline; it was not run", 1));
			}
			else if (!job.future().isDone()) {
				batch.add(job);
			}
		}
		if (batch.isEmpty()) {
			return;
		}
		try {
			List<O> outputs = handler.run(batch.stream().map(Job::input).toList());
			long took = System.nanoTime() - start;
			batchSizes.accept(batch.size());
			for (int i = 0; i < batch.size(); i++) {
				Job<I, O> job = batch.get(i);
				job.future().complete(new Result<>(outputs.get(i), start - job.enqueuedNanos(), took, batch.size()));
			}
		}
		catch (RuntimeException | Error ex) {
			log.error("{}: a batch of {} failed", name, batch.size(), ex);
			batch.forEach(job -> job.future()
				.completeExceptionally(new ApiException(HttpStatus.INTERNAL_SERVER_ERROR, "inference_failed",
						"the model failed to run this request; the server log has the details")));
		}
	}

	private RetryableApiException unavailable(String why) {
		return new RetryableApiException(HttpStatus.SERVICE_UNAVAILABLE, "model_unloaded", name + " " + why, 1);
	}

}
