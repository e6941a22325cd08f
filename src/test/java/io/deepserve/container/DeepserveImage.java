package io.deepserve.container;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Volume;
import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.ContainerLaunchException;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.startupcheck.StartupCheckStrategy;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;
import org.testcontainers.containers.wait.strategy.WaitStrategy;
import org.testcontainers.utility.DockerImageName;

import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.boot.web.client.RestTemplateBuilder;

/**
 * The service image as the container tests run it: the one {@code scripts/ci-image.sh image} built from the jar
 * Maven just packaged ({@code deepserve:ci}), on the host's network (no bridge on these machines), each container on
 * a free port of its own. Its output goes to {@code target/container-logs/<name>.log}.
 */
final class DeepserveImage {

	static final String IMAGE = System.getProperty("deepserve.image", "deepserve:ci");

	static final String DATA_DIR = "/var/lib/deepserve";

	/** What the image says when it refuses to listen beyond loopback without keys (SecurityConfiguration). */
	static final String REFUSAL = "would listen on 0.0.0.0 with no API keys configured";

	private static final Path LOGS = Path.of("target", "container-logs");

	static {
		speakTheDaemonsApiVersion();
	}

	private DeepserveImage() {
	}

	/**
	 * Aborts the calling test (reported as skipped, with the reason) where Docker or the image is not to be had:
	 * the reason scripts/ci-image.sh recorded, no daemon, or no image. Where that script built the image, Docker
	 * not answering is a failure, not a reason to skip.
	 */
	static void assumeAvailable() {
		String reason = unavailableReason();
		if (reason != null && built()) {
			throw new AssertionError("scripts/ci-image.sh built " + IMAGE + " but " + reason);
		}
		Assumptions.assumeTrue(reason == null, () -> "container tests NOT RUN: " + reason);
	}

	static boolean available() {
		return unavailableReason() == null;
	}

	private static String unavailableReason() {
		String line = status();
		if (line != null && line.startsWith("NOT RUN")) {
			return line.substring("NOT RUN:".length()).strip();
		}
		try {
			if (!DockerClientFactory.instance().isDockerAvailable()) {
				return "Testcontainers reaches no Docker daemon (scripts/ci-image.sh setup starts one; see the log above)";
			}
		}
		catch (RuntimeException ex) {
			return "Testcontainers cannot use the Docker daemon: " + ex;
		}
		if (!imageExists()) {
			return "image " + IMAGE + " is missing (scripts/ci-image.sh image builds it from target/deepserve-*.jar)";
		}
		return null;
	}

	private static boolean built() {
		String line = status();
		return line != null && line.startsWith("READY");
	}

	private static String status() {
		Path status = Path.of(System.getProperty("deepserve.image.status", "target/ci-image/status"));
		try {
			return Files.isRegularFile(status) ? Files.readString(status).strip() : null;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static boolean imageExists() {
		try {
			docker().inspectImageCmd(IMAGE).exec();
			return true;
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	/**
	 * spring-boot-test ships a docker-java.properties asking for Docker API 1.44 (Docker 29 refuses anything older),
	 * which Debian's docker.io 20.10 (at most 1.41) refuses in turn. The daemon's own version, as the docker CLI
	 * negotiates it, suits both; a system property overrides the file, and one set by hand is left alone.
	 */
	private static void speakTheDaemonsApiVersion() {
		if (System.getProperty("api.version") != null) {
			return;
		}
		try {
			Process process = new ProcessBuilder("docker", "version", "--format", "{{.Server.APIVersion}}")
				.redirectErrorStream(true)
				.start();
			String version = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
			if (process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0 && version.matches("1\\.\\d+")) {
				System.setProperty("api.version", version);
			}
		}
		catch (IOException ex) {
			// no docker CLI: Testcontainers finds what it can, and assumeAvailable says what it found
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	static DockerClient docker() {
		return DockerClientFactory.instance().client();
	}

	/** A container of the image named {@code name}, listening on {@code port}, with a small heap. */
	static GenericContainer<?> container(String name, int port) {
		try {
			Files.createDirectories(LOGS);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		Path log = LOGS.resolve(name + ".log");
		GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(IMAGE));
		return container.withNetworkMode("host")
			.withEnv("SERVER_PORT", Integer.toString(port))
			// six engineers and their tests share this machine: no container may take 75% of its memory
			.withEnv("JAVA_TOOL_OPTIONS", "-Xmx768m -Dai.djl.offline=true")
			.withLogConsumer(frame -> append(log, frame))
			.waitingFor(new Ready(port));
	}

	/** Configures an admin key, of which only the SHA-256 enters the container. */
	static GenericContainer<?> withAdminKey(GenericContainer<?> container, String key) {
		return container.withEnv("DEEPSERVE_SECURITY_APIKEYS_0_NAME", "it")
			.withEnv("DEEPSERVE_SECURITY_APIKEYS_0_SHA256", sha256(key))
			.withEnv("DEEPSERVE_SECURITY_APIKEYS_0_ROLES", "admin");
	}

	/** Mounts the named volume on the data dir, as `docker run -v name:/var/lib/deepserve` does. */
	static GenericContainer<?> withDataVolume(GenericContainer<?> container, String volume) {
		return container.withCreateContainerCmdModifier(
				cmd -> cmd.getHostConfig().withBinds(new Bind(volume, new Volume(DATA_DIR))));
	}

	static void removeVolume(String volume) {
		try {
			docker().removeVolumeCmd(volume).exec();
		}
		catch (RuntimeException ex) {
			// already gone, or still held by a container that failed to stop: nothing more to do here
		}
	}

	/** Starts a container expected to exit by itself; start() returns once it has, whatever its exit code. */
	static StartupCheckStrategy untilExited() {
		return new StartupCheckStrategy() {
			@Override
			public StartupStatus checkStartupState(DockerClient client, String id) {
				return client.inspectContainerCmd(id).exec().getState().getRunning() ? StartupStatus.NOT_YET_KNOWN
						: StartupStatus.SUCCESSFUL;
			}
		}.withTimeout(Duration.ofMinutes(3));
	}

	/** For a container expected to exit: waits for nothing beyond {@link #untilExited()}. */
	static WaitStrategy exitedIsEnough() {
		return new AbstractWaitStrategy() {
			@Override
			protected void waitUntilReady() {
			}
		};
	}

	static long exitCode(GenericContainer<?> container) {
		return docker().inspectContainerCmd(container.getContainerId()).exec().getState().getExitCodeLong();
	}

	static String newKey() {
		byte[] key = new byte[32];
		new SecureRandom().nextBytes(key);
		return HexFormat.of().formatHex(key);
	}

	static String sha256(String text) {
		try {
			return HexFormat.of()
				.formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	static String url(int port) {
		return "http://127.0.0.1:" + port;
	}

	/** A client for the container on {@code port}; with a key, every request sends it. */
	static TestRestTemplate http(int port, String key) {
		RestTemplateBuilder builder = new RestTemplateBuilder().rootUri(url(port));
		if (key != null) {
			builder = builder.defaultHeader("Authorization", "Bearer " + key);
		}
		return new TestRestTemplate(builder);
	}

	static int status(String url) {
		try {
			HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
			connection.setConnectTimeout(1000);
			connection.setReadTimeout(5000);
			try {
				return connection.getResponseCode();
			}
			finally {
				connection.disconnect();
			}
		}
		catch (IOException ex) {
			return -1;
		}
	}

	private static void append(Path log, OutputFrame frame) {
		try {
			Files.write(log, frame.getBytes() == null ? new byte[0] : frame.getBytes(),
					StandardOpenOption.CREATE, StandardOpenOption.APPEND);
		}
		catch (IOException ex) {
			// a lost log line must not fail the test
		}
	}

	/** Ready once {@code /actuator/health/readiness} answers 200; fails at once if the container exits. */
	private static final class Ready extends AbstractWaitStrategy {

		private final int port;

		Ready(int port) {
			this.port = port;
			withStartupTimeout(Duration.ofMinutes(8));
		}

		@Override
		protected void waitUntilReady() {
			long deadline = System.nanoTime() + startupTimeout.toNanos();
			String readiness = url(port) + "/actuator/health/readiness";
			while (System.nanoTime() < deadline) {
				if (!waitStrategyTarget.isRunning()) {
					throw new ContainerLaunchException("the container exited before it was ready; see "
							+ "target/container-logs");
				}
				if (status(readiness) == 200) {
					return;
				}
				try {
					TimeUnit.MILLISECONDS.sleep(500);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					throw new ContainerLaunchException("interrupted waiting for readiness");
				}
			}
			throw new ContainerLaunchException("not ready on port " + port + " within " + startupTimeout);
		}

	}

}
