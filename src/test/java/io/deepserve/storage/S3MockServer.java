package io.deepserve.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Adobe's S3Mock, a real S3 API server, started once per test JVM as a separate process (its Spring Boot would
 * clash with ours in-process). The Maven build copies its exec jar to {@code target/s3mock}.
 */
public final class S3MockServer {

	public static final String BUCKET = "deepserve";

	private static S3MockServer instance;

	private final Process process;

	private final String endpoint;

	private S3MockServer(Process process, String endpoint) {
		this.process = process;
		this.endpoint = endpoint;
	}

	public static synchronized S3MockServer get() {
		if (instance == null) {
			instance = start();
			Runtime.getRuntime().addShutdownHook(new Thread(instance.process::destroy));
		}
		return instance;
	}

	public String endpoint() {
		return endpoint;
	}

	/** A client for tests that look at or tamper with objects behind the store's back. */
	public S3Client client() {
		return S3Client.builder()
			.httpClientBuilder(UrlConnectionHttpClient.builder())
			.endpointOverride(URI.create(endpoint))
			.region(Region.US_EAST_1)
			.forcePathStyle(true)
			.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
			.build();
	}

	/** Application arguments selecting the S3 store on this server, under {@code prefix}. */
	public List<String> storageArgs(String prefix) {
		return List.of("--deepserve.storage.type=s3", "--deepserve.storage.s3.endpoint=" + endpoint,
				"--deepserve.storage.s3.bucket=" + BUCKET, "--deepserve.storage.s3.prefix=" + prefix,
				"--deepserve.storage.s3.path-style-access=true", "--deepserve.storage.s3.access-key=test",
				"--deepserve.storage.s3.secret-key=test");
	}

	private static S3MockServer start() {
		try {
			Path jar = Path.of(System.getProperty("s3mock.jar", "target/s3mock/s3mock.jar"));
			if (!Files.isRegularFile(jar)) {
				throw new IllegalStateException(jar + " is missing: run the tests through Maven, which copies it");
			}
			Path dir = Files.createDirectories(Path.of("target", "s3mock"));
			Path root = Files.createTempDirectory(dir, "store-");
			int port = freePort();
			String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
			Process process = new ProcessBuilder(java, "-Xmx256m", "-jar", jar.toString(), "--server.port=0",
					"--com.adobe.testing.s3mock.httpPort=" + port,
					"--com.adobe.testing.s3mock.store.initialBuckets=" + BUCKET,
					"--com.adobe.testing.s3mock.store.root=" + root.toAbsolutePath())
				.redirectErrorStream(true)
				.redirectOutput(dir.resolve("s3mock.log").toFile())
				.start();
			String endpoint = "http://127.0.0.1:" + port;
			awaitUp(process, endpoint);
			return new S3MockServer(process, endpoint);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static void awaitUp(Process process, String endpoint) {
		// slow to start on a busy machine: it is a whole Spring Boot application
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
		while (System.nanoTime() < deadline) {
			if (!process.isAlive()) {
				throw new IllegalStateException("S3Mock exited with " + process.exitValue()
						+ "; see target/s3mock/s3mock.log");
			}
			try {
				HttpURLConnection connection = (HttpURLConnection) URI.create(endpoint + "/").toURL().openConnection();
				connection.setConnectTimeout(1000);
				if (connection.getResponseCode() == 200) {
					return;
				}
			}
			catch (IOException ex) {
				// not listening yet
			}
			try {
				Thread.sleep(500);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				break;
			}
		}
		process.destroy();
		throw new IllegalStateException("S3Mock did not start; see target/s3mock/s3mock.log");
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
