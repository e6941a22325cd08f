package io.deepserve.training;

import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.deepserve.DeepserveApplication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A job this instance's previous process was running cannot be resumed: after a restart it is FAILED, and says
 * why. A job another live instance runs is left alone; one whose instance stopped renewing its lease is FAILED.
 */
class TrainingRestartTests {

	@TempDir
	Path dataDir;

	@Test
	void aRestartFailsOnlyItsOwnJobsAndThoseWhoseLeaseExpired() {
		try (ConfigurableApplicationContext first = start()) {
			String me = first.getBean(TrainingWorkers.class).owner();
			JdbcClient jdbc = first.getBean(JdbcClient.class);
			insertRunning(jdbc, "1", me, OffsetDateTime.now());
			insertRunning(jdbc, "2", null, null);
			insertRunning(jdbc, "3", "live-replica", OffsetDateTime.now().plusHours(1));
			insertRunning(jdbc, "4", "gone-replica", OffsetDateTime.now().minusHours(1));
		}
		try (ConfigurableApplicationContext second = start()) {
			TrainingJobs jobs = second.getBean(TrainingJobs.class);
			assertFailed(jobs.get(id("1")), "interrupted by restart");
			assertFailed(jobs.get(id("2")), "interrupted by restart");
			assertThat(jobs.get(id("3")).status()).isEqualTo(TrainingJob.Status.RUNNING);
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertFailed(jobs.get(id("4")),
					"worker lost: gone-replica stopped renewing its lease"));
		}
	}

	private static void assertFailed(TrainingJob job, String error) {
		assertThat(job.status()).isEqualTo(TrainingJob.Status.FAILED);
		assertThat(job.error()).isEqualTo(error);
		assertThat(job.finishedAt()).isNotNull();
	}

	private static String id(String n) {
		return "00000000-0000-0000-0000-00000000000" + n;
	}

	private static void insertRunning(JdbcClient jdbc, String n, String owner, OffsetDateTime heartbeat) {
		jdbc.sql("INSERT INTO training_jobs (id, model, task, architecture, dataset, request, status, created_at,"
				+ " started_at, owner, heartbeat_at) VALUES (:id, 'left', 'image-classification', 'resnet18', 'gone',"
				+ " '{\"model\":\"left\"}', 'RUNNING', :now, :now, :owner, :heartbeat)")
			.param("id", id(n))
			.param("now", OffsetDateTime.now())
			.param("owner", owner)
			.param("heartbeat", heartbeat)
			.update();
	}

	private ConfigurableApplicationContext start() {
		// Arguments, not builder properties: those are defaults, and application.yml's data-dir would win.
		return new SpringApplicationBuilder(DeepserveApplication.class).run("--deepserve.data-dir=" + dataDir,
				"--server.port=0", "--deepserve.engine.load-at-startup=false");
	}

}
