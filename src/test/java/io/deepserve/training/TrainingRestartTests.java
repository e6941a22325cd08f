package io.deepserve.training;

import java.nio.file.Path;
import java.time.OffsetDateTime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.deepserve.DeepserveApplication;

import static org.assertj.core.api.Assertions.assertThat;

/** A job the previous process was running cannot be resumed: after a restart it is FAILED, and says why. */
class TrainingRestartTests {

	@TempDir
	Path dataDir;

	@Test
	void aJobLeftRunningIsFailedAfterARestart() {
		try (ConfigurableApplicationContext first = start()) {
			first.getBean(JdbcClient.class)
				.sql("INSERT INTO training_jobs (id, model, task, architecture, dataset, request, status, created_at,"
						+ " started_at) VALUES ('00000000-0000-0000-0000-000000000001', 'left', 'image-classification',"
						+ " 'resnet18', 'gone', '{\"model\":\"left\"}', 'RUNNING', :now, :now)")
				.param("now", OffsetDateTime.now())
				.update();
		}
		try (ConfigurableApplicationContext second = start()) {
			TrainingJob job = second.getBean(TrainingJobs.class).get("00000000-0000-0000-0000-000000000001");
			assertThat(job.status()).isEqualTo(TrainingJob.Status.FAILED);
			assertThat(job.error()).isEqualTo("interrupted by restart");
			assertThat(job.finishedAt()).isNotNull();
		}
	}

	private ConfigurableApplicationContext start() {
		// Arguments, not builder properties: those are defaults, and application.yml's data-dir would win.
		return new SpringApplicationBuilder(DeepserveApplication.class).run("--deepserve.data-dir=" + dataDir,
				"--server.port=0", "--deepserve.engine.load-at-startup=false");
	}

}
