package io.deepserve.inference;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


import io.deepserve.error.ServiceFailureException;
import io.deepserve.error.UnavailableException;

/**
 * A bounded queue and up to {@code workers} worker threads for one loaded version. Each worker takes the oldest
 * request, then up to {@code maxBatchSize - 1} more that arrive within {@code maxBatchDelayMs} of the first one's
 * arrival (under a backlog that deadline has passed, so a worker never waits while requests queue), drops those past
 * their deadline, and runs the rest as one batch. It waits only while more requests are on their way (accepted by
 * the server but not yet queued), so a lone request never pays the delay. Knows nothing of tasks or tensors: the
 * {@link BatchHandler} does.
 * <p>
 * One worker runs while requests come. More start, one at a time, while requests wait and every live worker is busy;
 * each extra one stops again after {@code extraWorkerIdle} without work, and the last one after
 * {@code lastWorkerIdle}, to start again with the next request. A request goes to the worker that went idle last, so
 * under light load one worker does the work and the others do go idle. A worker idle for a second lets its handler
 * {@linkplain BatchHandler#rest() rest}. Why: on CPU an idle PyTorch thread's OpenMP team slows every other one
 * (BENCHMARKS.md, "Why serving threads go idle").
 */
final class BatchingPool<I, O> {

	private static final Logger log = LoggerFactory.getLogger(BatchingPool.class);

	/** Idle time after which a worker's handler rests: long enough that the worker is idle, not between requests. */
	private static final long REST_AFTER_NANOS = TimeUnit.SECONDS.toNanos(1);

	/** How long an idle worker sleeps before it looks at its idle time again, if no request wakes it first. */
	private static final long IDLE_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

	/** What a request learns besides its output. */
	record Result<O>(O output, long queueNanos, long inferenceNanos, int batchSize) {
	}

	private record Job<I, O>(I input, long enqueuedNanos, long deadlineNanos, CompletableFuture<Result<O>> future) {
	}

	private final String name;

	private final PoolSettings settings;

	private final BlockingQueue<Job<I, O>> queue;

	/** The worker threads not yet finished, so {@link #stop} can wait for each; guarded by itself. */
	private final List<Thread> workers = new ArrayList<>();

	/** Numbers the worker threads' names. */
	private final AtomicInteger threadNumbers = new AtomicInteger();

	private final IntConsumer batchSizes;

	private final IntSupplier inFlight;

	private final long extraWorkerIdleNanos;

	private final long lastWorkerIdleNanos;

	private final AtomicInteger live = new AtomicInteger();

	private final AtomicInteger busy = new AtomicInteger();

	/** Workers waiting for a request, the one that went idle last first: a new request wakes that one. */
	private final ConcurrentLinkedDeque<Thread> idle = new ConcurrentLinkedDeque<>();

	/** Workers gathering a batch: they take the requests that come meanwhile, so those wake no idle worker. */
	private final AtomicInteger filling = new AtomicInteger();

	/** True while an extra worker is starting, so a backlog starts one at a time. */
	private final AtomicBoolean growing = new AtomicBoolean();

	private volatile boolean stopping;

	/** Set once an extra worker failed to start: the pool stays at the workers it has rather than retry forever. */
	private volatile boolean growthFailed;

	private volatile Supplier<BatchHandler<I, O>> handlers;

	/** The pool this one retired into, which takes what is submitted here from then on; null until it retires. */
	private volatile BatchingPool<I, O> successor;

	/** Requests answered with an output so far. */
	private final AtomicLong answered = new AtomicLong();

	private volatile I warmup;

	/**
	 * @param inFlight requests on their way to or in this pool, the ones in a batch being filled included
	 */
	BatchingPool(String name, PoolSettings settings, IntConsumer batchSizes, IntSupplier inFlight) {
		this(name, settings, batchSizes, inFlight, Duration.ofSeconds(5), Duration.ofSeconds(60));
	}

	BatchingPool(String name, PoolSettings settings, IntConsumer batchSizes, IntSupplier inFlight,
			Duration extraWorkerIdle, Duration lastWorkerIdle) {
		this.name = name;
		this.settings = settings;
		this.queue = new ArrayBlockingQueue<>(settings.queueSize());
		this.batchSizes = batchSizes;
		this.inFlight = inFlight;
		this.extraWorkerIdleNanos = extraWorkerIdle.toNanos();
		this.lastWorkerIdleNanos = lastWorkerIdle.toNanos();
	}

	/**
	 * Starts the first worker, which creates its own handler and runs {@code warmup} through it before taking
	 * requests; extra workers later do the same. Returns once it is warm, or throws if it could not warm up.
	 */
	void start(Supplier<BatchHandler<I, O>> handlers, I warmup) {
		this.handlers = handlers;
		this.warmup = warmup;
		CountDownLatch warm = new CountDownLatch(1);
		AtomicReference<Throwable> failure = new AtomicReference<>();
		startWorker(true, warm, failure);
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

	/** Worker threads running now. */
	int liveWorkers() {
		return live.get();
	}

	private void startWorker(boolean first, CountDownLatch warm, AtomicReference<Throwable> failure) {
		synchronized (workers) {
			if (stopping) {
				warmed(first, warm);
				return;
			}
			Thread thread = new Thread(() -> work(first, warm, failure),
					"infer-" + name + "-" + threadNumbers.getAndIncrement());
			thread.setDaemon(true);
			workers.add(thread);
			live.incrementAndGet();
			thread.start();
		}
	}

	/**
	 * Starts one more worker when requests wait, every live worker is busy (none is, when none runs), and the
	 * settings allow another.
	 */
	private void growIfBacklogged() {
		// after a failed start the pool keeps the workers it has, but with none left it must try again
		if (queue.isEmpty() || busy.get() < live.get() || live.get() >= settings.workers() || stopping
				|| growthFailed && live.get() > 0 || !growing.compareAndSet(false, true)) {
			return;
		}
		// the new worker clears the flag once warm (or failed), so a second one is not started meanwhile
		startWorker(false, new CountDownLatch(1), new AtomicReference<>());
	}

	/**
	 * Queues one request; never blocks.
	 * @throws UnavailableException 503 {@code queue_full} when the queue is at capacity
	 */
	CompletableFuture<Result<O>> submit(I input) {
		BatchingPool<I, O> next = successor;
		if (stopping && next != null) {
			return next.submit(input);
		}
		long now = System.nanoTime();
		Job<I, O> job = new Job<>(input, now, now + settings.timeout().toNanos(), new CompletableFuture<>());
		if (stopping || !queue.offer(job)) {
			throw new UnavailableException("queue_full", name + " has "
					+ settings.queueSize() + " requests waiting already; retry shortly", 1);
		}
		// it retired meanwhile, and may have handed its leftovers on already: whoever removes the job runs it
		next = successor;
		if (stopping && next != null && queue.remove(job)) {
			return next.submit(input);
		}
		growIfBacklogged();
		if (filling.get() == 0) {
			wakeIdleWorker();
		}
		return job.future();
	}

	private void wakeIdleWorker() {
		Thread worker = idle.pollFirst();
		if (worker != null) {
			LockSupport.unpark(worker);
		}
	}

	int queueDepth() {
		return queue.size();
	}

	PoolSettings settings() {
		return settings;
	}

	/** Whether it is the bottleneck now: requests wait, or as many workers as it may have are all busy. */
	boolean saturated() {
		return !queue.isEmpty() || busy.get() >= settings.workers();
	}

	/** Whether it has retired into a successor ({@link #retireTo}), which takes what is submitted here. */
	boolean retired() {
		return stopping && successor != null;
	}

	/** Requests answered with an output since the pool started. */
	long answered() {
		return answered.get();
	}

	/**
	 * Hands over to {@code next}, a started pool of the same version with other settings: what is submitted here
	 * goes there from now on, these workers finish what is queued here (up to {@code drain}), and what they leave
	 * goes there too. No request is refused for the change.
	 */
	void retireTo(BatchingPool<I, O> next, Duration drain) {
		// the successor first: a submit that sees the pool stopping must find where to go
		successor = next;
		stop(drain);
	}

	/** Lets the workers finish what is queued (up to {@code drain}), then stops them; each closes its handler. */
	void stop(Duration drain) {
		List<Thread> started;
		synchronized (workers) {
			stopping = true;
			started = List.copyOf(workers);
		}
		idle.forEach(LockSupport::unpark);
		long until = System.nanoTime() + drain.toNanos();
		for (Thread worker : started) {
			try {
				worker.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime())));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			worker.interrupt();
		}
		for (Thread worker : started) {
			try {
				worker.join(5_000);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		BatchingPool<I, O> next = successor;
		for (Job<I, O> left; (left = queue.poll()) != null;) {
			if (next == null) {
				left.future().completeExceptionally(unavailable("was unloaded before this request could run"));
				continue;
			}
			CompletableFuture<Result<O>> answer = left.future();
			try {
				next.submit(left.input()).whenComplete((result, ex) -> {
					if (ex != null) {
						answer.completeExceptionally(ex);
					}
					else {
						answer.complete(result);
					}
				});
			}
			catch (RuntimeException ex) {
				answer.completeExceptionally(ex);
			}
		}
	}

	private void work(boolean first, CountDownLatch warm, AtomicReference<Throwable> failure) {
		boolean stoppedIdle = false;
		try {
			stoppedIdle = serve(first, warm, failure);
		}
		finally {
			if (!stoppedIdle) {
				// a worker that stopped for want of work left the count already
				live.decrementAndGet();
			}
			idle.remove(Thread.currentThread());
			synchronized (workers) {
				workers.remove(Thread.currentThread());
			}
			if (stoppedIdle) {
				// a request queued while this worker decided to stop may have woken it, or found it still counted
				// as live: hand it on
				wakeIdleWorker();
				growIfBacklogged();
			}
		}
	}

	private void warmed(boolean first, CountDownLatch warm) {
		warm.countDown();
		if (!first) {
			growing.set(false);
		}
	}

	/** @return true when the worker stopped for want of work, false when it failed to start or the pool stopped */
	private boolean serve(boolean first, CountDownLatch warm, AtomicReference<Throwable> failure) {
		BatchHandler<I, O> handler;
		try {
			handler = handlers.get();
		}
		catch (RuntimeException | Error ex) {
			failed(first, failure, ex);
			warmed(first, warm);
			return false;
		}
		try (handler) {
			try {
				handler.run(List.of(warmup));
			}
			catch (RuntimeException | Error ex) {
				failed(first, failure, ex);
				return false;
			}
			finally {
				warmed(first, warm);
			}
			long idleSince = System.nanoTime();
			boolean rested = false;
			while (!(stopping && queue.isEmpty())) {
				List<Job<I, O>> batch = nextBatch();
				if (!batch.isEmpty()) {
					run(handler, batch);
					idleSince = System.nanoTime();
					rested = false;
					continue;
				}
				long idleNanos = System.nanoTime() - idleSince;
				if (idleTooLong(idleNanos)) {
					return true;
				}
				if (!rested && idleNanos > REST_AFTER_NANOS) {
					handler.rest();
					rested = true;
				}
			}
		}
		catch (InterruptedException ex) {
			// stop() gave up waiting for the queue to drain
		}
		return false;
	}

	/**
	 * Whether a worker idle this long stops, leaving the live count if so: an extra one after
	 * {@code extraWorkerIdle}, the last one after {@code lastWorkerIdle}, unless a worker failed to start since (then
	 * the pool keeps the one it has). The count changes atomically with the decision, so of two workers idle at once
	 * only one stops as the extra one.
	 */
	private boolean idleTooLong(long idleNanos) {
		while (true) {
			int now = live.get();
			boolean last = now <= 1;
			if (idleNanos <= (last ? lastWorkerIdleNanos : extraWorkerIdleNanos) || last && growthFailed) {
				return false;
			}
			if (live.compareAndSet(now, now - 1)) {
				log.debug("{}: {} worker stops after {} ms without work", name, last ? "the last" : "an extra",
						TimeUnit.NANOSECONDS.toMillis(idleNanos));
				return true;
			}
		}
	}

	private void failed(boolean first, AtomicReference<Throwable> failure, Throwable ex) {
		if (first) {
			failure.compareAndSet(null, ex);
		}
		else {
			growthFailed = true;
			log.warn("{}: an extra worker could not start ({}); {} carries on with the workers it has", name,
					ex.getMessage(), name);
		}
	}

	private List<Job<I, O>> nextBatch() throws InterruptedException {
		List<Job<I, O>> batch = new ArrayList<>(settings.maxBatchSize());
		Job<I, O> first = awaitRequest();
		if (first == null) {
			return batch;
		}
		batch.add(first);
		long until = first.enqueuedNanos() + TimeUnit.MILLISECONDS.toNanos(settings.maxBatchDelayMs());
		filling.incrementAndGet();
		try {
			while (batch.size() < settings.maxBatchSize()) {
				long wait = until - System.nanoTime();
				boolean moreComing = inFlight.getAsInt() > batch.size();
				Job<I, O> next = wait > 0 && moreComing ? queue.poll(wait, TimeUnit.NANOSECONDS) : queue.poll();
				if (next == null) {
					break;
				}
				batch.add(next);
			}
		}
		finally {
			filling.decrementAndGet();
		}
		// what this batch leaves, or a request whose wake-up went to a worker that found nothing, goes to another
		if (!queue.isEmpty()) {
			wakeIdleWorker();
		}
		return batch;
	}

	/**
	 * The next request, or null after {@link #IDLE_CHECK_NANOS} without one. A worker with nothing to do joins the
	 * front of the idle workers and keeps its place there until it takes a request or stops, so the one idle
	 * longest stays at the back and reaches its idle time.
	 */
	private Job<I, O> awaitRequest() throws InterruptedException {
		Thread me = Thread.currentThread();
		Job<I, O> job = queue.poll();
		if (job == null) {
			lineUp();
			// a request queued before this worker was listed woke no one: look again before sleeping
			job = queue.poll();
			if (job == null) {
				LockSupport.parkNanos(this, IDLE_CHECK_NANOS);
				if (Thread.interrupted()) {
					throw new InterruptedException();
				}
				job = queue.poll();
			}
		}
		if (job != null) {
			idle.remove(me);
		}
		return job;
	}

	/** Puts the calling worker first in line for the next request, unless it is in line already. */
	private void lineUp() {
		Thread me = Thread.currentThread();
		if (!idle.contains(me)) {
			idle.push(me);
		}
	}

	/**
	 * Runs one batch and answers its requests. The worker counts as busy only until its handler returns, not while
	 * it answers: a client that sends its next request as soon as it has its answer must find the worker idle, or a
	 * lone caller would look like a backlog and start an extra worker.
	 */
	private void run(BatchHandler<I, O> handler, List<Job<I, O>> taken) {
		long start = System.nanoTime();
		List<Job<I, O>> batch = new ArrayList<>(taken.size());
		for (Job<I, O> job : taken) {
			if (start - job.deadlineNanos() > 0) {
				job.future().completeExceptionally(new UnavailableException("deadline_exceeded", "the request waited " + TimeUnit.NANOSECONDS.toMillis(start
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
		List<O> outputs;
		busy.incrementAndGet();
		try {
			growIfBacklogged();
			outputs = handler.run(batch.stream().map(Job::input).toList());
		}
		catch (RuntimeException | Error ex) {
			busy.decrementAndGet();
			lineUp();
			log.error("{}: a batch of {} failed", name, batch.size(), ex);
			batch.forEach(job -> job.future()
				.completeExceptionally(new ServiceFailureException("inference_failed",
						"the model failed to run this request; the server log has the details")));
			return;
		}
		busy.decrementAndGet();
		// in line before answering: the request an answer brings back must find this worker first, not one idle
		// for longer, even when it comes before this thread gets back to the queue
		lineUp();
		long took = System.nanoTime() - start;
		batchSizes.accept(batch.size());
		// counted before they are answered, so that whoever has an answer finds it counted
		answered.addAndGet(batch.size());
		for (int i = 0; i < batch.size(); i++) {
			Job<I, O> job = batch.get(i);
			job.future().complete(new Result<>(outputs.get(i), start - job.enqueuedNanos(), took, batch.size()));
		}
	}

	private UnavailableException unavailable(String why) {
		return new UnavailableException("model_unloaded", name + " " + why, 1);
	}

}
