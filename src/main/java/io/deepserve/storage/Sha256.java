package io.deepserve.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import io.deepserve.error.PayloadTooLargeException;


/** SHA-256 helpers; every digest in deepserve is lower-case hex. */
public final class Sha256 {

	private Sha256() {
	}

	public static MessageDigest newDigest() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("every JVM has SHA-256", ex);
		}
	}

	public static String hex(MessageDigest digest) {
		return HexFormat.of().formatHex(digest.digest());
	}

	public static String of(Path file) throws IOException {
		try (InputStream in = Files.newInputStream(file)) {
			return of(in);
		}
	}

	public static String of(InputStream in) throws IOException {
		MessageDigest digest = newDigest();
		byte[] buffer = new byte[64 * 1024];
		for (int n; (n = in.read(buffer)) > 0;) {
			digest.update(buffer, 0, n);
		}
		return hex(digest);
	}

	/** What {@link #copy} wrote. */
	public record Copied(String sha256, long sizeBytes) {
	}

	/**
	 * Copies {@code in} to {@code out}, hashing on the way.
	 * @param tooLargeDetail the {@code 413 payload_too_large} detail when more than {@code maxBytes} arrive
	 */
	public static Copied copy(InputStream in, OutputStream out, long maxBytes, String tooLargeDetail)
			throws IOException {
		MessageDigest digest = newDigest();
		byte[] buffer = new byte[64 * 1024];
		long size = 0;
		for (int n; (n = in.read(buffer)) > 0;) {
			size += n;
			if (size > maxBytes) {
				throw new PayloadTooLargeException(tooLargeDetail);
			}
			digest.update(buffer, 0, n);
			out.write(buffer, 0, n);
		}
		return new Copied(hex(digest), size);
	}

	public static String of(byte[] bytes) {
		MessageDigest digest = newDigest();
		digest.update(bytes);
		return hex(digest);
	}

}
