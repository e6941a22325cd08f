package io.deepserve.storage;

import io.deepserve.error.ConflictException;

/** The bytes of an artifact no longer hash to what was recorded when it was written: it is never served. */
public class ChecksumMismatchException extends ConflictException {

	public ChecksumMismatchException(String key, String expected, String actual) {
		super("checksum_mismatch", "artifact " + key + " is corrupted: its SHA-256 is " + actual
				+ " but " + expected + " was recorded when it was stored; it will not be used");
	}

}
