package io.deepserve.storage;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

import io.deepserve.config.DeepserveProperties;
import io.deepserve.error.DeepserveException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The S3 store against a real S3 API server: what is read back is what was written, or nothing. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3ArtifactStoreTests {

	private static final String PREFIX = "store-tests";

	@TempDir
	Path cacheDir;

	private S3MockServer server;

	private S3Client raw;

	@BeforeAll
	void startServer() {
		server = S3MockServer.get();
		raw = server.client();
	}

	@AfterAll
	void closeClient() {
		raw.close();
	}

	@Test
	void roundTripStoresTheDigestWithTheObjectAndReadsBackThroughAnotherInstance() throws IOException {
		byte[] bytes = "weights of a small model".getBytes(StandardCharsets.UTF_8);
		String key = newKey();
		StoredArtifact stored;
		try (S3ArtifactStore writer = store(cacheDir.resolve("writer"))) {
			stored = writer.put(key, new ByteArrayInputStream(bytes), 1024);
		}
		assertThat(stored.sha256()).isEqualTo(Sha256.of(bytes));
		assertThat(stored.sizeBytes()).isEqualTo(bytes.length);
		HeadObjectResponse head = raw.headObject(b -> b.bucket(S3MockServer.BUCKET).key(PREFIX + "/" + key));
		assertThat(head.metadata()).containsEntry(S3ArtifactStore.SHA256_METADATA, stored.sha256());
		assertThat(head.contentLength()).isEqualTo(bytes.length);

		// another replica, with nothing cached, downloads and verifies
		Path readerCache = cacheDir.resolve("reader");
		try (S3ArtifactStore reader = store(readerCache); InputStream in = reader.openVerified(key, stored.sha256())) {
			assertThat(in.readAllBytes()).isEqualTo(bytes);
			assertThat(reader.exists(key)).isTrue();
			Path local = reader.localVerifiedFile(key, stored.sha256());
			assertThat(local).startsWith(readerCache);
			assertThat(Files.readAllBytes(local)).isEqualTo(bytes);
		}
	}

	@Test
	void anObjectChangedInTheBucketIsRefusedAndNotCached() throws IOException {
		String key = newKey();
		String sha256;
		try (S3ArtifactStore writer = store(cacheDir.resolve("writer"))) {
			sha256 = writer.put(key, new ByteArrayInputStream(new byte[] { 1, 2, 3 }), 1024).sha256();
		}
		raw.putObject(b -> b.bucket(S3MockServer.BUCKET).key(PREFIX + "/" + key), RequestBody.fromBytes(new byte[] {
				1, 2, 4 }));

		try (S3ArtifactStore reader = store(cacheDir.resolve("reader"))) {
			assertThatThrownBy(() -> reader.localVerifiedFile(key, sha256))
				.isInstanceOf(ChecksumMismatchException.class)
				.extracting(ex -> ((DeepserveException) ex).code())
				.isEqualTo("checksum_mismatch");
			assertThatThrownBy(() -> reader.openVerified(key, sha256)).isInstanceOf(ChecksumMismatchException.class);
			assertThat(cacheDir.resolve("reader/objects").resolve(key)).doesNotExist();
		}
	}

	@Test
	void aDamagedCachedCopyIsDownloadedAgain() throws IOException {
		byte[] bytes = "the real bytes".getBytes(StandardCharsets.UTF_8);
		String key = newKey();
		try (S3ArtifactStore store = store(cacheDir.resolve("one"))) {
			String sha256 = store.put(key, new ByteArrayInputStream(bytes), 1024).sha256();
			Path local = store.localVerifiedFile(key, sha256);
			Files.write(local, "rot".getBytes(StandardCharsets.UTF_8));

			assertThat(Files.readAllBytes(store.localVerifiedFile(key, sha256))).isEqualTo(bytes);
		}
	}

	@Test
	void keysAreWrittenOnceAndLimitsHold() throws IOException {
		String key = newKey();
		try (S3ArtifactStore store = store(cacheDir.resolve("one"))) {
			store.put(key, new ByteArrayInputStream(new byte[] { 7 }), 1024);
			assertThatThrownBy(() -> store.put(key, new ByteArrayInputStream(new byte[] { 8 }), 1024))
				.isInstanceOf(FileAlreadyExistsException.class);

			String big = newKey();
			assertThatThrownBy(() -> store.put(big, new ByteArrayInputStream(new byte[2048]), 1024))
				.isInstanceOf(DeepserveException.class)
				.extracting(ex -> ((DeepserveException) ex).code())
				.isEqualTo("payload_too_large");
			assertThat(store.exists(big)).isFalse();

			store.delete(key);
			assertThat(store.exists(key)).isFalse();
			assertThatThrownBy(() -> store.localVerifiedFile(key, Sha256.of(new byte[] { 7 })))
				.isInstanceOf(ArtifactMissingException.class);
			assertThatThrownBy(() -> store.put("../escape", new ByteArrayInputStream(new byte[1]), 1024))
				.isInstanceOf(IllegalArgumentException.class);
		}
	}

	private S3ArtifactStore store(Path cache) throws IOException {
		String endpoint = server.endpoint();
		return S3ArtifactStore.create(new DeepserveProperties.S3(endpoint, "us-east-1", S3MockServer.BUCKET, PREFIX,
				true, "test", "test"), cache);
	}

	private static String newKey() {
		return "models/s3-tests/" + UUID.randomUUID() + "/artifact.pt";
	}

}
