package io.deepserve.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Immutable blobs addressed by key. Writes are all-or-nothing; every read is checked against the SHA-256
 * recorded when the blob was written, so corrupted bytes are refused, never served.
 */
public interface ArtifactStore {

	/**
	 * Writes {@code content} under {@code key} atomically and returns its digest. Fails if {@code key} exists.
	 * @param maxBytes the write fails with {@code 413 payload_too_large} past this many bytes
	 */
	StoredArtifact put(String key, InputStream content, long maxBytes) throws IOException;

	/** Opens the blob after checking its bytes hash to {@code expectedSha256}. */
	default InputStream openVerified(String key, String expectedSha256) throws IOException {
		return Files.newInputStream(localVerifiedFile(key, expectedSha256));
	}

	/**
	 * A local file holding the verified bytes of the blob, for libraries that need a path (DJL). The file must
	 * not be modified by the caller.
	 */
	Path localVerifiedFile(String key, String expectedSha256) throws IOException;

	boolean exists(String key) throws IOException;

	/** Deletes the blob; a missing blob is not an error. */
	void delete(String key) throws IOException;

}
