package io.deepserve.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import io.deepserve.config.DeepserveProperties;

/**
 * Blobs as objects in an S3-compatible bucket, each uploaded with its SHA-256 (checked by the server on upload and
 * kept as object metadata). Reads go through a local cache of verified files: an object is downloaded once per
 * instance, hashed on the way, and refused with {@code 409 checksum_mismatch} when it no longer matches the digest
 * the registry recorded; the cached copy is hashed again on every use, as the filesystem store does.
 */
class S3ArtifactStore implements ArtifactStore, AutoCloseable {

	static final String SHA256_METADATA = "sha256";

	private static final Logger log = LoggerFactory.getLogger(S3ArtifactStore.class);

	private final S3Client s3;

	private final String bucket;

	private final String prefix;

	/** Downloaded objects under the same keys; doubles as the staging area for uploads. */
	private final FileSystemArtifactStore cache;

	private final Path staging;

	S3ArtifactStore(S3Client s3, String bucket, String prefix, Path cacheDir) throws IOException {
		this.s3 = s3;
		this.bucket = bucket;
		this.prefix = prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix + "/";
		this.cache = new FileSystemArtifactStore(cacheDir.resolve("objects"));
		this.staging = Files.createDirectories(cacheDir.resolve("staging"));
	}

	static S3ArtifactStore create(DeepserveProperties.S3 settings, Path cacheDir) throws IOException {
		if (settings.bucket().isBlank()) {
			throw new IllegalStateException("deepserve.storage.type=s3 needs deepserve.storage.s3.bucket");
		}
		var builder = S3Client.builder()
			.httpClientBuilder(UrlConnectionHttpClient.builder())
			.region(Region.of(settings.region()))
			.forcePathStyle(settings.pathStyleAccess())
			.credentialsProvider(credentials(settings));
		if (!settings.endpoint().isBlank()) {
			builder.endpointOverride(URI.create(settings.endpoint()));
		}
		return new S3ArtifactStore(builder.build(), settings.bucket(), settings.prefix(), cacheDir);
	}

	private static AwsCredentialsProvider credentials(DeepserveProperties.S3 settings) {
		if (settings.accessKey().isBlank()) {
			return DefaultCredentialsProvider.builder().build();
		}
		return StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKey(), settings.secretKey()));
	}

	@Override
	public StoredArtifact put(String key, InputStream content, long maxBytes) throws IOException {
		// S3 needs the length and the digest before the first byte is sent: stage the bytes locally first.
		Path tmp = Files.createTempFile(staging, "upload-", ".tmp");
		try {
			Sha256.Copied copied;
			try (OutputStream out = Files.newOutputStream(tmp)) {
				copied = Sha256.copy(content, out, maxBytes,
						"the artifact is larger than the configured limit of " + maxBytes + " bytes");
			}
			if (exists(key)) {
				throw new FileAlreadyExistsException(key);
			}
			s3.putObject(b -> b.bucket(bucket)
				.key(objectKey(key))
				.contentLength(copied.sizeBytes())
				.checksumSHA256(Base64.getEncoder().encodeToString(HexFormat.of().parseHex(copied.sha256())))
				.metadata(Map.of(SHA256_METADATA, copied.sha256())), RequestBody.fromFile(tmp));
			cacheQuietly(key, tmp);
			return new StoredArtifact(key, copied.sha256(), copied.sizeBytes());
		}
		finally {
			Files.deleteIfExists(tmp);
		}
	}

	@Override
	public Path localVerifiedFile(String key, String expectedSha256) throws IOException {
		if (cache.exists(key)) {
			try {
				return cache.localVerifiedFile(key, expectedSha256);
			}
			catch (ChecksumMismatchException ex) {
				// the bucket holds the truth; a damaged local copy is fetched again
				log.warn("cached copy of {} is damaged; downloading it again", key);
				cache.delete(key);
			}
		}
		download(key);
		try {
			return cache.localVerifiedFile(key, expectedSha256);
		}
		catch (ChecksumMismatchException ex) {
			cache.delete(key);
			throw ex;
		}
	}

	private void download(String key) throws IOException {
		try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(bucket).key(objectKey(key)))) {
			cache.put(key, in, Long.MAX_VALUE);
		}
		catch (NoSuchKeyException ex) {
			throw new ArtifactMissingException(key);
		}
		catch (FileAlreadyExistsException ex) {
			// another thread downloaded it first; what it wrote is verified by the caller like ours would be
		}
	}

	@Override
	public boolean exists(String key) throws IOException {
		try {
			s3.headObject(b -> b.bucket(bucket).key(objectKey(key)));
			return true;
		}
		catch (NoSuchKeyException ex) {
			return false;
		}
		catch (S3Exception ex) {
			if (ex.statusCode() == 404) {
				return false;
			}
			throw ex;
		}
	}

	@Override
	public void delete(String key) throws IOException {
		s3.deleteObject(b -> b.bucket(bucket).key(objectKey(key)));
		cache.delete(key);
	}

	@Override
	public void close() {
		s3.close();
	}

	/** The key in the bucket; checked against the same safe-key rules as the filesystem store's. */
	String objectKey(String key) {
		FileSystemArtifactStore.checkKey(key);
		return prefix + key;
	}

	/** The uploader keeps what it just sent, so its first load needs no download. */
	private void cacheQuietly(String key, Path file) {
		try (InputStream in = Files.newInputStream(file)) {
			cache.put(key, in, Long.MAX_VALUE);
		}
		catch (IOException ex) {
			log.debug("could not cache {} after upload", key, ex);
		}
	}

}
