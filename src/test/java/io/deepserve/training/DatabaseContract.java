package io.deepserve.training;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import io.deepserve.DeepserveApplication;
import io.deepserve.error.ConflictException;
import io.deepserve.inference.Images;
import io.deepserve.registry.ModelRegistry;
import io.deepserve.registry.ModelVersion;
import io.deepserve.registry.NewModelVersion;
import io.deepserve.registry.Preprocessing;
import io.deepserve.registry.Task;
import io.deepserve.training.TrainingJob.Status;
import io.deepserve.training.TrainingJobRepository.Lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the registry and the job queue promise when several threads or instances share one database, run against
 * each database deepserve supports: subclasses only say which. The application runs as a serving-only replica, so
 * no worker of its own takes the jobs these tests queue.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DatabaseContract {

	private ConfigurableApplicationContext context;

	private TrainingJobRepository queue;

	private ModelRegistry registry;

	/** Arguments that point the application at the database under test. */
	abstract List<String> databaseArgs();

	@BeforeAll
	void start() throws Exception {
		Path dataDir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "test-data")), "db-");
		List<String> args = new ArrayList<>(List.of("--deepserve.data-dir=" + dataDir.toAbsolutePath(),
				"--server.port=0", "--deepserve.engine.load-at-startup=false", "--deepserve.roles=serving"));
		args.addAll(databaseArgs());
		context = new SpringApplicationBuilder(DeepserveApplication.class).run(args.toArray(String[]::new));
		queue = context.getBean(TrainingJobRepository.class);
		registry = context.getBean(ModelRegistry.class);
	}

	@AfterAll
	void stop() {
		if (context != null) {
			context.close();
		}
	}

	@Test
	void concurrentRegistrationsOfOneNameGetUniqueConsecutiveNumbers() throws Exception {
		byte[] artifact = Images.tinyTorchScript();
		NewModelVersion spec = new NewModelVersion(Task.IMAGE_CLASSIFICATION, "torchscript",
				List.of(1L, 3L, 32L, 32L), List.of("cat", "dog", "fish"), new Preprocessing(32, null, null, null), null,
				null, null, null, null);
		int threads = 6;
		CyclicBarrier together = new CyclicBarrier(threads);
		List<Integer> numbers = runConcurrently(threads, () -> {
			together.await();
			return registry.register("racing", spec, new ByteArrayInputStream(artifact)).version();
		});
		assertThat(numbers).containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6);
		assertThat(registry.get("racing").versions()).extracting(ModelVersion::version)
			.containsExactly(1, 2, 3, 4, 5, 6);
	}

	/** The other tests leave nothing QUEUED behind them, so every job claimed here is one of this test's. */
	@Test
	void eachQueuedJobIsClaimedByExactlyOneOfManyWorkers() throws Exception {
		int jobs = 24;
		for (int i = 0; i < jobs; i++) {
			queue.insert(queued("claims"));
		}
		Set<String> claimed = ConcurrentHashMap.newKeySet();
		List<String> duplicates = new ArrayList<>();
		int workers = 6;
		CyclicBarrier together = new CyclicBarrier(workers);
		List<Integer> perWorker = runConcurrently(workers, new Callable<>() {

			private final java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();

			@Override
			public Integer call() throws Exception {
				String owner = "claims-" + (next.getAndIncrement() % 2 == 0 ? "a" : "b");
				together.await();
				int count = 0;
				for (Optional<TrainingJob> job; (job = queue.claimOldest(owner)).isPresent();) {
					if (!claimed.add(job.get().id())) {
						synchronized (duplicates) {
							duplicates.add(job.get().id());
						}
					}
					count++;
				}
				return count;
			}

		});
		assertThat(duplicates).isEmpty();
		assertThat(claimed).hasSize(jobs);
		assertThat(perWorker.stream().mapToInt(Integer::intValue).sum()).isEqualTo(jobs);
		assertThat(queue.list(Status.RUNNING)).filteredOn(j -> claimed.contains(j.id())).hasSize(jobs);
	}

	@Test
	void aLeaseIsRenewedByItsOwnerOnlyCarriesCancelsAndFailsTheJobWhenItExpires() {
		TrainingJob job = queued("leases");
		queue.insert(job);
		String owner = "leases-a";
		assertThat(claimUntil(owner, job.id())).isTrue();
		assertThat(queue.renew(job.id(), owner)).isEqualTo(Lease.HELD);
		assertThat(queue.renew(job.id(), "leases-b")).isEqualTo(Lease.LOST);
		assertThat(queue.requestCancel(job.id())).isTrue();
		assertThat(queue.renew(job.id(), owner)).isEqualTo(Lease.CANCEL_REQUESTED);

		assertThat(queue.failExpired(Instant.now().plusSeconds(1))).isPositive();
		TrainingJob lost = queue.find(job.id()).orElseThrow();
		assertThat(lost.status()).isEqualTo(Status.FAILED);
		assertThat(lost.error()).isEqualTo("worker lost: leases-a stopped renewing its lease");
		assertThat(queue.renew(job.id(), owner)).isEqualTo(Lease.LOST);
		assertThat(queue.finishOwned(job.id(), owner, Status.SUCCEEDED, "leases:1", null)).isFalse();
		assertThat(queue.find(job.id()).orElseThrow().status()).isEqualTo(Status.FAILED);
	}

	@Test
	void aRestartingInstanceFailsOnlyItsOwnRunningJobs() {
		TrainingJob mine = queued("restart");
		TrainingJob theirs = queued("restart");
		queue.insert(mine);
		queue.insert(theirs);
		assertThat(claimUntil("restart-a", mine.id())).isTrue();
		assertThat(claimUntil("restart-b", theirs.id())).isTrue();

		assertThat(queue.failRunningOf("restart-a", "interrupted by restart")).isEqualTo(1);
		assertThat(queue.find(mine.id()).orElseThrow().error()).isEqualTo("interrupted by restart");
		assertThat(queue.find(theirs.id()).orElseThrow().status()).isEqualTo(Status.RUNNING);
		assertThat(queue.finishOwned(theirs.id(), "restart-b", Status.SUCCEEDED, "restart:1", null)).isTrue();
	}

	@Test
	void aCancelAcceptedWhileAJobRegistersItsModelLeavesNoVersionAndAnUncancelledJobSucceeds() throws Exception {
		TrainingWorkers workers = context.getBean(TrainingWorkers.class);
		TrainingJobs jobs = context.getBean(TrainingJobs.class);
		byte[] artifact = Images.tinyTorchScript();
		TrainingJob cancelled = queued("publish-cancelled");
		queue.insert(cancelled);
		assertThat(claimUntil(workers.owner(), cancelled.id())).isTrue();
		// the cancel is accepted after the worker last checked its lease, while the artifact is being stored
		InputStream cancelling = new FilterInputStream(new ByteArrayInputStream(artifact)) {

			private boolean sent;

			@Override
			public int read(byte[] b, int off, int len) throws IOException {
				if (!sent) {
					sent = true;
					jobs.cancel(cancelled.id());
				}
				return super.read(b, off, len);
			}

		};
		assertThatThrownBy(() -> workers.publish(cancelled, tinySpec(), cancelling, new AtomicBoolean()))
			.isInstanceOf(JobCancelledException.class);
		assertThat(registry.list()).filteredOn(m -> m.name().equals("publish-cancelled"))
			.allSatisfy(m -> assertThat(m.latestVersion()).isNull());
		assertThat(queue.find(cancelled.id()).orElseThrow().resultModel()).isNull();

		TrainingJob kept = queued("publish-kept");
		queue.insert(kept);
		assertThat(claimUntil(workers.owner(), kept.id())).isTrue();
		String ref = workers.publish(kept, tinySpec(), new ByteArrayInputStream(artifact), new AtomicBoolean());
		TrainingJob succeeded = queue.find(kept.id()).orElseThrow();
		assertThat(succeeded.status()).isEqualTo(Status.SUCCEEDED);
		assertThat(succeeded.resultModel()).isEqualTo(ref).isEqualTo("publish-kept:1");
		assertThat(registry.resolve(ref).version()).isEqualTo(1);
		assertThatThrownBy(() -> jobs.cancel(kept.id())).isInstanceOf(ConflictException.class);
	}

	private static NewModelVersion tinySpec() {
		return new NewModelVersion(Task.IMAGE_CLASSIFICATION, "torchscript", List.of(1L, 3L, 32L, 32L),
				List.of("cat", "dog", "fish"), new Preprocessing(32, null, null, null), null, null, null, null, null);
	}

	/** Other tests' jobs may be ahead in the queue: claims (and keeps) jobs until it gets this one. */
	private boolean claimUntil(String owner, String id) {
		for (Optional<TrainingJob> job; (job = queue.claimOldest(owner)).isPresent();) {
			if (job.get().id().equals(id)) {
				return true;
			}
		}
		return false;
	}

	private static TrainingJob queued(String model) {
		TrainingRequest request = new TrainingRequest(model, null, "resnet18", "none", null, null, null, null, null);
		return new TrainingJob(UUID.randomUUID().toString(), model, Task.IMAGE_CLASSIFICATION, "resnet18",
				"none", request, Status.QUEUED, null, List.of(), null, null, null, Instant.now(), null, null);
	}

	private static <T> List<T> runConcurrently(int threads, Callable<T> task) throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		try {
			List<Future<T>> futures = new ArrayList<>();
			for (int i = 0; i < threads; i++) {
				futures.add(pool.submit(task));
			}
			List<T> results = new ArrayList<>();
			for (Future<T> future : futures) {
				results.add(future.get());
			}
			return results;
		}
		finally {
			pool.shutdownNow();
		}
	}

}
