package io.deepserve.storage;

/**
 * What an {@link ArtifactStore} recorded when it wrote a blob.
 *
 * @param key where the blob lives, relative to the store's root (for example {@code models/shapes/3/artifact.zip})
 * @param sha256 lower-case hex SHA-256 of the exact bytes stored
 * @param sizeBytes number of bytes stored
 */
public record StoredArtifact(String key, String sha256, long sizeBytes) {
}
