package io.deepserve.container;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.yaml.snakeyaml.Yaml;

import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

import io.deepserve.EmbeddedPostgresSupport;
import io.deepserve.inference.Images;
import io.deepserve.registry.RegistryHttp;
import io.deepserve.storage.S3MockServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code docker-compose.yml} as Docker Compose reads it, and its deepserve service run as the image with exactly
 * the environment, volume and health check the file gives it. PostgreSQL's and MinIO's images cannot be pulled
 * here, so the host's embedded PostgreSQL and S3Mock stand in for those two services.
 */
class ComposeIT {

	private static final String HASH_VARIABLE = "DEEPSERVE_ADMIN_KEY_SHA256";

	@Test
	void composeRefusesToRenderTheFileWithoutTheKeyHash() throws Exception {
		Result result = compose(null);
		assertThat(result.exitCode).as(result.output).isNotZero();
		assertThat(result.output).contains("set DEEPSERVE_ADMIN_KEY_SHA256");
	}

	@Test
	void composeValidatesTheFileAndTheDeepserveServiceRunsAsTheImage() throws Exception {
		String key = DeepserveImage.newKey();
		Result result = compose(DeepserveImage.sha256(key));
		assertThat(result.exitCode).as(result.output).isZero();
		Map<String, Object> services = map(new Yaml().<Map<String, Object>>load(result.output).get("services"));
		assertThat(services).containsOnlyKeys("deepserve", "postgres", "minio", "minio-init");
		Map<String, Object> deepserve = map(services.get("deepserve"));
		assertThat(deepserve.get("image")).isEqualTo("deepserve:0.1.0");

		DeepserveImage.assumeAvailable();
		Map<String, String> env = new HashMap<>();
		map(deepserve.get("environment")).forEach((name, value) -> env.put(name, String.valueOf(value)));
		assertThat(env).containsEntry("DEEPSERVE_SECURITY_APIKEYS_0_SHA256", DeepserveImage.sha256(key));
		// the stand-ins for the postgres and minio services
		String jdbc = EmbeddedPostgresSupport.newDatabaseArgs().get(0).substring("--spring.datasource.url=".length());
		assertThat(env).containsEntry("SPRING_DATASOURCE_URL", "jdbc:postgresql://postgres:5432/deepserve");
		env.put("SPRING_DATASOURCE_URL", jdbc);
		env.put("SPRING_DATASOURCE_USERNAME", "postgres");
		env.put("SPRING_DATASOURCE_PASSWORD", "");
		assertThat(env).containsEntry("DEEPSERVE_STORAGE_S3_ENDPOINT", "http://minio:9000");
		env.put("DEEPSERVE_STORAGE_S3_ENDPOINT", S3MockServer.get().endpoint());
		assertThat(env).containsEntry("DEEPSERVE_STORAGE_S3_BUCKET", S3MockServer.BUCKET);

		int port = DeepserveImage.freePort();
		String volume = "deepserve-it-compose-" + System.nanoTime();
		GenericContainer<?> container = DeepserveImage.withDataVolume(DeepserveImage.container("compose", port),
				volume);
		env.forEach(container::withEnv);
		try {
			container.start();
			// the file's own health check, on the port this container listens on
			List<String> test = new ArrayList<>();
			map(deepserve.get("healthcheck")).entrySet().stream()
				.filter(e -> e.getKey().equals("test"))
				.forEach(e -> ((List<?>) e.getValue()).forEach(word -> test.add(String.valueOf(word))));
			assertThat(test.get(0)).isEqualTo("CMD");
			String[] command = test.subList(1, test.size()).stream()
				.map(word -> word.replace("/8080", "/" + port))
				.toArray(String[]::new);
			ExecResult health = container.execInContainer(command);
			assertThat(health.getExitCode()).as(health.getStderr()).isZero();

			TestRestTemplate http = DeepserveImage.http(port, key);
			ResponseEntity<String> imported = RegistryHttp.importVersion(http, "compose-tiny",
					Images.tinyTorchScript(), Images.tinyMetadata(null));
			assertThat(imported.getStatusCode()).as(imported.getBody()).isEqualTo(HttpStatus.CREATED);
			ResponseEntity<String> answer = ScaledImageIT.classify(http, "compose-tiny");
			assertThat(answer.getStatusCode()).as(answer.getBody()).isEqualTo(HttpStatus.OK);
		}
		finally {
			container.stop();
			DeepserveImage.removeVolume(volume);
		}
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> map(Object yaml) {
		return (Map<String, Object>) yaml;
	}

	/** {@code docker-compose config} (Debian's Compose v1; the v2 plugin takes the same command as two words). */
	private static Result compose(String hash) throws IOException, InterruptedException {
		List<String> command = composeCommand();
		command.addAll(List.of("-f", "docker-compose.yml", "config"));
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
		builder.environment().remove(HASH_VARIABLE);
		if (hash != null) {
			builder.environment().put(HASH_VARIABLE, hash);
		}
		Process process = builder.start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(1, TimeUnit.MINUTES)).isTrue();
		return new Result(process.exitValue(), output);
	}

	private static List<String> composeCommand() throws InterruptedException {
		for (List<String> candidate : List.of(List.of("docker-compose"), List.of("docker", "compose"))) {
			List<String> version = new ArrayList<>(candidate);
			version.add("version");
			try {
				Process process = new ProcessBuilder(version).redirectErrorStream(true).start();
				process.getInputStream().readAllBytes();
				if (process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0) {
					return new ArrayList<>(candidate);
				}
			}
			catch (IOException ex) {
				// not installed; try the next form
			}
		}
		Assumptions.abort("compose checks NOT RUN: neither docker-compose nor the docker compose plugin is "
				+ "installed (scripts/ci-image.sh setup installs Debian's docker-compose)");
		return List.of();
	}

	private record Result(int exitCode, String output) {
	}

}
