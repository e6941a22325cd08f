package io.deepserve.inference;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.boot.web.client.RestTemplateBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.util.FileSystemUtils;

import io.deepserve.DeepserveApplication;
import io.deepserve.registry.ModelRegistry;
import io.deepserve.registry.ModelVersion;
import io.deepserve.registry.RegistryHttp;
import io.deepserve.storage.S3MockServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The registry end to end on the S3 store: a model imported over HTTP lands in the bucket with its SHA-256, and
 * a replica with nothing cached downloads, verifies and serves it.
 */
class S3ServingTests {

	private final S3MockServer server = S3MockServer.get();

	private Path dataDir;

	@Test
	void aModelImportedToS3IsDownloadedVerifiedAndServed() throws Exception {
		try (ConfigurableApplicationContext app = startServing("serving-tests"); S3Client raw = server.client()) {
			TestRestTemplate http = http(app);
			ResponseEntity<String> imported = RegistryHttp.importVersion(http, "s3-tiny",
					Images.tinyTorchScript(), Images.tinyMetadata(null));
			assertThat(imported.getStatusCode()).as(imported.getBody()).isEqualTo(HttpStatus.CREATED);

			ModelVersion version = app.getBean(ModelRegistry.class).resolve("s3-tiny:1");
			HeadObjectResponse head = raw.headObject(
					b -> b.bucket(S3MockServer.BUCKET).key("serving-tests/" + version.artifactKey()));
			assertThat(head.metadata()).containsEntry("sha256", version.sha256());

			// as on a fresh replica: nothing local, so serving must fetch the object and check it
			FileSystemUtils.deleteRecursively(dataDir.resolve("cache/s3"));
			ResponseEntity<String> classified = Images.classify(http, "s3-tiny",
					Images.encode(Images.solid(32, 32, Color.RED, BufferedImage.TYPE_INT_RGB), "png"),
					MediaType.IMAGE_PNG);
			assertThat(classified.getStatusCode()).as(classified.getBody()).isEqualTo(HttpStatus.OK);
			JsonNode body = new ObjectMapper().readTree(classified.getBody());
			assertThat(body.toString()).containsAnyOf("cat", "dog", "fish");
			assertThat(Files.list(dataDir.resolve("cache/s3")).findAny()).as("downloaded into the cache").isPresent();
		}
	}

	@Test
	void aTamperedObjectIsRefusedWithChecksumMismatchAndServesAgainOnceRestored() throws Exception {
		try (ConfigurableApplicationContext app = startServing("tamper-tests"); S3Client raw = server.client()) {
			TestRestTemplate http = http(app);
			byte[] original = Images.tinyTorchScript();
			ResponseEntity<String> imported = RegistryHttp.importVersion(http, "s3-tampered", original,
					Images.tinyMetadata(null));
			assertThat(imported.getStatusCode()).as(imported.getBody()).isEqualTo(HttpStatus.CREATED);
			ModelVersion version = app.getBean(ModelRegistry.class).resolve("s3-tampered:1");
			String key = "tamper-tests/" + version.artifactKey();

			byte[] damaged = original.clone();
			damaged[damaged.length / 2] ^= 0x5a;
			raw.putObject(b -> b.bucket(S3MockServer.BUCKET).key(key), RequestBody.fromBytes(damaged));
			FileSystemUtils.deleteRecursively(dataDir.resolve("cache/s3"));
			byte[] image = Images.encode(Images.solid(32, 32, Color.RED, BufferedImage.TYPE_INT_RGB), "png");

			ResponseEntity<String> refused = Images.classify(http, "s3-tampered:1", image, MediaType.IMAGE_PNG);
			assertThat(refused.getStatusCode()).as(refused.getBody()).isEqualTo(HttpStatus.CONFLICT);
			assertThat(refused.getHeaders().getContentType()).hasToString("application/problem+json");
			assertThat(new ObjectMapper().readTree(refused.getBody()).path("code").asText())
				.isEqualTo("checksum_mismatch");
			assertThat(app.getBean(ModelRegistry.class).resolve("s3-tampered:1").status())
				.as("the version's record is untouched").isEqualTo(ModelVersion.Status.READY);

			// a refused load is not remembered: once the object is whole again, the version serves
			raw.putObject(b -> b.bucket(S3MockServer.BUCKET).key(key), RequestBody.fromBytes(original));
			ResponseEntity<String> served = Images.classify(http, "s3-tampered:1", image, MediaType.IMAGE_PNG);
			assertThat(served.getStatusCode()).as(served.getBody()).isEqualTo(HttpStatus.OK);
		}
	}

	/** A serving-only replica with its artifacts in the S3 server under {@code prefix} and its data in dataDir. */
	private ConfigurableApplicationContext startServing(String prefix) throws IOException {
		dataDir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "test-data")), "s3-");
		List<String> args = new ArrayList<>(List.of("--deepserve.data-dir=" + dataDir.toAbsolutePath(),
				"--server.port=0", "--deepserve.engine.load-at-startup=false", "--deepserve.roles=serving"));
		args.addAll(server.storageArgs(prefix));
		return new SpringApplicationBuilder(DeepserveApplication.class).run(args.toArray(String[]::new));
	}

	private static TestRestTemplate http(ConfigurableApplicationContext app) {
		return new TestRestTemplate(new RestTemplateBuilder()
			.rootUri("http://127.0.0.1:" + app.getBean(Environment.class).getProperty("local.server.port")));
	}

}
