package io.deepserve.storage;

import io.deepserve.error.ConflictException;

/** The registry records an artifact the store no longer holds: the version cannot be served or downloaded. */
public class ArtifactMissingException extends ConflictException {

	public ArtifactMissingException(String key) {
		super("artifact_missing", "artifact " + key + " is missing from the artifact store; the version's record "
				+ "remains, but its bytes are gone");
	}

}
