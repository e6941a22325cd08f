package io.deepserve.inference;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.deepserve.error.DeepserveException;
import io.deepserve.error.UnavailableException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The batching pool on its own, with a handler the test can hold still: no engine, no timing guesses. */
class BatchingPoolTests {

	/** The warm-up input: it never waits on the gate, whichever worker runs it and whenever. */
	private static final int WARMUP = -100;

	private final CountDownLatch gate = new CountDownLatch(1);

	private final List<List<Integer>> batches = new CopyOnWriteArrayList<>();

	private final AtomicInteger closed = new AtomicInteger();

	/** The threads their handlers rested on, one entry per rest. */
	private final List<String> rests = new CopyOnWriteArrayList<>();

	private BatchingPool<Integer, Integer> pool;

	@AfterEach
	void stop() {
		gate.countDown();
		if (pool != null) {
			pool.stop(Duration.ofSeconds(5));
		}
	}

	@Test
	void aFullQueueRefusesAtOnceAndTheAcceptedRequestsStillRun() throws Exception {
		pool = start(new PoolSettings(1, 2, 1, 0, Duration.ofMinutes(1), 0), 0);
		CompletableFuture<BatchingPool.Result<Integer>> running = pool.submit(1);
		awaitBatches(2);
		List<CompletableFuture<BatchingPool.Result<Integer>>> queued = List.of(pool.submit(2), pool.submit(3));

		assertThatThrownBy(() -> pool.submit(4)).isInstanceOfSatisfying(UnavailableException.class,
				ex -> assertThat(ex.code()).isEqualTo("queue_full"));

		gate.countDown();
		assertThat(running.get(5, TimeUnit.SECONDS).output()).isEqualTo(10);
		assertThat(queued.get(0).get(5, TimeUnit.SECONDS).output()).isEqualTo(20);
		assertThat(queued.get(1).get(5, TimeUnit.SECONDS).output()).isEqualTo(30);
	}

	@Test
	void waitingRequestsGoTogetherUpToTheBatchSize() throws Exception {
		pool = start(new PoolSettings(1, 100, 4, 0, Duration.ofMinutes(1), 0), 0);
		List<CompletableFuture<BatchingPool.Result<Integer>>> futures = new ArrayList<>();
		futures.add(pool.submit(0));
		awaitBatches(2);
		for (int i = 1; i <= 10; i++) {
			futures.add(pool.submit(i));
		}
		gate.countDown();
		for (int i = 0; i < futures.size(); i++) {
			assertThat(futures.get(i).get(5, TimeUnit.SECONDS).output()).isEqualTo(i * 10);
		}
		// the warm-up, the first request alone, then the ten that waited in batches of 4, 4 and 2
		assertThat(batches).extracting(List::size).containsExactly(1, 1, 4, 4, 2);
	}

	@Test
	void aRequestPastItsDeadlineIsNotRun() throws Exception {
		pool = start(new PoolSettings(1, 10, 4, 0, Duration.ofMillis(20), 0), 0);
		CompletableFuture<BatchingPool.Result<Integer>> first = pool.submit(1);
		awaitBatches(2);
		CompletableFuture<BatchingPool.Result<Integer>> late = pool.submit(2);
		Thread.sleep(60);
		gate.countDown();

		assertThat(first.get(5, TimeUnit.SECONDS).output()).isEqualTo(10);
		assertThatThrownBy(() -> late.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
			.cause()
			.isInstanceOfSatisfying(UnavailableException.class,
					ex -> assertThat(ex.code()).isEqualTo("deadline_exceeded"));
		assertThat(batches).noneMatch(b -> b.contains(2));
	}

	@Test
	void aFailingBatchAnswersEachOfItsRequestsAndTheWorkerCarriesOn() throws Exception {
		pool = start(new PoolSettings(1, 10, 4, 0, Duration.ofMinutes(1), 0), -1);
		gate.countDown();
		CompletableFuture<BatchingPool.Result<Integer>> failing = pool.submit(-1);
		assertThatThrownBy(() -> failing.get(5, TimeUnit.SECONDS)).cause()
			.isInstanceOfSatisfying(DeepserveException.class, ex -> assertThat(ex.code()).isEqualTo("inference_failed"));
		assertThat(pool.submit(5).get(5, TimeUnit.SECONDS).output()).isEqualTo(50);
	}

	@Test
	void stoppingDrainsWhatWasAcceptedThenClosesEveryHandler() throws Exception {
		pool = start(new PoolSettings(2, 10, 1, 0, Duration.ofMinutes(1), 0), 0);
		List<CompletableFuture<BatchingPool.Result<Integer>>> futures = new ArrayList<>();
		for (int i = 1; i <= 5; i++) {
			futures.add(pool.submit(i));
		}
		awaitTrue(() -> pool.liveWorkers() == 2, "the backlog started the second worker");
		Thread stopper = new Thread(() -> pool.stop(Duration.ofSeconds(5)));
		stopper.start();
		Thread.sleep(50);
		assertThatThrownBy(() -> pool.submit(9)).isInstanceOf(UnavailableException.class);
		gate.countDown();
		stopper.join(10_000);

		for (int i = 0; i < futures.size(); i++) {
			assertThat(futures.get(i).get(1, TimeUnit.SECONDS).output()).isEqualTo((i + 1) * 10);
		}
		assertThat(closed.get()).as("each worker closed its own handler").isEqualTo(2);
	}

	@Test
	void aRetiredPoolRunsWhatItAcceptedAndSendsWhatComesAfterToItsSuccessor() throws Exception {
		pool = start(new PoolSettings(1, 10, 1, 0, Duration.ofMinutes(1), 0), 0);
		BatchingPool<Integer, Integer> next = new BatchingPool<>("next", new PoolSettings(1, 10, 4, 0,
				Duration.ofMinutes(1), 0), size -> {
		}, () -> 0);
		next.start(tenfold(new AtomicInteger(), inputs -> {
		}), WARMUP);
		try {
			List<CompletableFuture<BatchingPool.Result<Integer>>> accepted = new ArrayList<>();
			for (int i = 1; i <= 4; i++) {
				accepted.add(pool.submit(i));
			}
			awaitBatches(2);
			Thread retiring = new Thread(() -> pool.retireTo(next, Duration.ofSeconds(5)));
			retiring.start();
			awaitTrue(pool::retired, "it is retiring, its first request still running");

			CompletableFuture<BatchingPool.Result<Integer>> after = pool.submit(5);
			assertThat(after.get(5, TimeUnit.SECONDS).output()).as("run by the successor while the old one drains")
				.isEqualTo(50);
			gate.countDown();
			retiring.join(10_000);

			for (int i = 0; i < accepted.size(); i++) {
				assertThat(accepted.get(i).get(5, TimeUnit.SECONDS).output()).isEqualTo((i + 1) * 10);
			}
			assertThat(pool.answered()).as("the old pool ran what it had accepted").isEqualTo(4);
			assertThat(next.answered()).isEqualTo(1);
			assertThat(pool.submit(6).get(5, TimeUnit.SECONDS).output()).isEqualTo(60);
			assertThat(next.answered()).isEqualTo(2);
		}
		finally {
			next.stop(Duration.ofSeconds(5));
		}
	}

	@Test
	void underABacklogAnExtraWorkerStartsAndStopsAgainOnceIdle() throws Exception {
		AtomicInteger created = new AtomicInteger();
		List<Integer> started = new CopyOnWriteArrayList<>();
		pool = new BatchingPool<>("elastic", new PoolSettings(2, 10, 1, 0, Duration.ofMinutes(1), 0), size -> {
		}, () -> 0, Duration.ofMillis(300), Duration.ofMinutes(1));
		pool.start(tenfold(created, inputs -> {
			if (!inputs.equals(List.of(0))) {
				started.addAll(inputs);
				await(gate);
			}
		}), 0);
		assertThat(created.get()).as("one worker until requests back up").isEqualTo(1);
		assertThat(pool.liveWorkers()).isEqualTo(1);

		CompletableFuture<BatchingPool.Result<Integer>> first = pool.submit(1);
		awaitTrue(() -> started.contains(1), "the first request runs");
		CompletableFuture<BatchingPool.Result<Integer>> second = pool.submit(2);
		awaitTrue(() -> started.contains(2), "the second request runs beside the first, on an extra worker");
		assertThat(created.get()).isEqualTo(2);
		assertThat(pool.liveWorkers()).isEqualTo(2);
		CompletableFuture<BatchingPool.Result<Integer>> third = pool.submit(3);
		Thread.sleep(50);
		assertThat(created.get()).as("never more than the settings' two workers").isEqualTo(2);

		gate.countDown();
		assertThat(first.get(5, TimeUnit.SECONDS).output()).isEqualTo(10);
		assertThat(second.get(5, TimeUnit.SECONDS).output()).isEqualTo(20);
		assertThat(third.get(5, TimeUnit.SECONDS).output()).isEqualTo(30);
		awaitTrue(() -> closed.get() == 1, "the extra worker closes its handler after 300 ms without work");
		assertThat(pool.liveWorkers()).isEqualTo(1);
		assertThat(pool.submit(4).get(5, TimeUnit.SECONDS).output()).as("the first worker stays").isEqualTo(40);
	}

	@Test
	void oneRequestAtATimeGoesToTheWorkerIdleLeastSoTheExtraOneStillStops() throws Exception {
		AtomicInteger created = new AtomicInteger();
		List<String> ranOn = new CopyOnWriteArrayList<>();
		pool = new BatchingPool<>("steady", new PoolSettings(2, 10, 1, 0, Duration.ofMinutes(1), 0), size -> {
		}, () -> 0, Duration.ofMillis(300), Duration.ofMinutes(1));
		pool.start(tenfold(created, inputs -> {
			if (!inputs.equals(List.of(0))) {
				ranOn.add(Thread.currentThread().getName());
				if (inputs.contains(1)) {
					await(gate);
				}
				LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
			}
		}), 0);
		CompletableFuture<BatchingPool.Result<Integer>> first = pool.submit(1);
		awaitTrue(() -> ranOn.size() == 1, "the first request runs");
		assertThat(pool.submit(2).get(5, TimeUnit.SECONDS).output()).as("the second runs on an extra worker")
			.isEqualTo(20);
		assertThat(pool.liveWorkers()).isEqualTo(2);
		gate.countDown();
		assertThat(first.get(5, TimeUnit.SECONDS).output()).isEqualTo(10);

		// then a steady trickle for three times the extra worker's idle time, each request sent the moment the one
		// before is answered, from the answering thread itself: handed out in turn, every worker would get one in
		// two, and none would ever be idle
		long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(900);
		CompletableFuture<Integer> trickle = new CompletableFuture<>();
		new Consumer<Integer>() {
			@Override
			public void accept(Integer i) {
				if (System.nanoTime() > until) {
					trickle.complete(i);
					return;
				}
				pool.submit(i).whenComplete((result, failure) -> {
					if (failure != null || result.output() != 10 * i) {
						trickle.completeExceptionally(new AssertionError(i + " gave " + result + ", " + failure));
					}
					else {
						accept(i + 1);
					}
				});
			}
		}.accept(3);
		assertThat(trickle.get(5, TimeUnit.SECONDS)).as("requests answered").isGreaterThan(20);
		assertThat(pool.liveWorkers()).as("the extra worker stopped while requests kept coming").isEqualTo(1);
		assertThat(closed.get()).isEqualTo(1);
		assertThat(created.get()).isEqualTo(2);
		List<String> last = ranOn.subList(ranOn.size() - 20, ranOn.size());
		assertThat(last).as("the last 20 requests ran on one worker").containsOnly(last.get(0));
	}

	@Test
	void theLastWorkerStopsOnceIdleAndTheNextRequestStartsOneAgain() throws Exception {
		AtomicInteger created = new AtomicInteger();
		pool = new BatchingPool<>("quiet", new PoolSettings(2, 10, 1, 0, Duration.ofMinutes(1), 0), size -> {
		}, () -> 0, Duration.ofMillis(100), Duration.ofMillis(300));
		pool.start(tenfold(created, inputs -> {
		}), 0);
		assertThat(pool.submit(1).get(5, TimeUnit.SECONDS).output()).isEqualTo(10);
		assertThat(pool.liveWorkers()).isEqualTo(1);

		awaitTrue(() -> pool.liveWorkers() == 0 && closed.get() == 1,
				"the last worker stops after 300 ms without work, closing its handler");
		assertThat(pool.submit(2).get(5, TimeUnit.SECONDS).output()).as("a new worker serves the next request")
			.isEqualTo(20);
		assertThat(created.get()).isEqualTo(2);
		assertThat(pool.liveWorkers()).isEqualTo(1);
	}

	@Test
	void aWorkerIdleForASecondRestsItsHandlerOnceOnItsOwnThreadAndWorksAgainAfter() throws Exception {
		List<String> ranOn = new CopyOnWriteArrayList<>();
		pool = new BatchingPool<>("resting", new PoolSettings(1, 10, 1, 0, Duration.ofMinutes(1), 0), size -> {
		}, () -> 0);
		pool.start(tenfold(new AtomicInteger(), inputs -> ranOn.add(Thread.currentThread().getName())), 0);
		assertThat(pool.submit(1).get(5, TimeUnit.SECONDS).output()).isEqualTo(10);
		Thread.sleep(500);
		assertThat(rests).as("half a second is not idle yet").isEmpty();
		awaitTrue(() -> rests.size() == 1, "the handler rests after a second without work");
		assertThat(rests).containsExactly(ranOn.get(0));
		Thread.sleep(1500);
		assertThat(rests).as("once per idle spell").hasSize(1);

		assertThat(pool.submit(2).get(5, TimeUnit.SECONDS).output()).as("a rested handler still works")
			.isEqualTo(20);
		awaitTrue(() -> rests.size() == 2, "it rests again after the next idle second");
	}

	/** Multiplies by ten; blocks on the gate except for the warm-up; fails on {@code failOn}. */
	private BatchingPool<Integer, Integer> start(PoolSettings settings, int failOn) {
		BatchingPool<Integer, Integer> started = new BatchingPool<>("test", settings, size -> {
		}, () -> 0);
		started.start(tenfold(new AtomicInteger(), inputs -> {
			batches.add(List.copyOf(inputs));
			if (!inputs.equals(List.of(WARMUP))) {
				await(gate);
			}
			if (inputs.contains(failOn) && failOn != 0) {
				throw new IllegalStateException("boom");
			}
		}), WARMUP);
		return started;
	}

	/**
	 * Handlers that run {@code before} on each batch, then multiply every input by ten; each one made counts in
	 * {@code created}, each one closed in {@link #closed}, each rest in {@link #rests}.
	 */
	private Supplier<BatchHandler<Integer, Integer>> tenfold(AtomicInteger created, Consumer<List<Integer>> before) {
		return () -> {
			created.incrementAndGet();
			return new BatchHandler<>() {
				@Override
				public List<Integer> run(List<Integer> inputs) {
					before.accept(inputs);
					return inputs.stream().map(i -> i * 10).toList();
				}

				@Override
				public void rest() {
					rests.add(Thread.currentThread().getName());
				}

				@Override
				public void close() {
					closed.incrementAndGet();
				}
			};
		};
	}

	/** Waits until {@code count} batches (the warm-up included) have started. */
	private void awaitBatches(int count) throws InterruptedException {
		long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
		while (batches.size() < count && System.nanoTime() < until) {
			Thread.sleep(2);
		}
		assertThat(batches).hasSize(count);
	}

	private static void awaitTrue(java.util.function.BooleanSupplier condition, String what)
			throws InterruptedException {
		long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
		while (!condition.getAsBoolean() && System.nanoTime() < until) {
			Thread.sleep(2);
		}
		assertThat(condition.getAsBoolean()).as(what).isTrue();
	}

	private static void await(CountDownLatch latch) {
		try {
			latch.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
