package io.deepserve.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.regex.Pattern;


/**
 * Blobs as files under one root directory. A write goes to a temporary file in the same directory, is fsynced,
 * then renamed into place, so a reader never sees half a file and a crash never leaves one under its key.
 */
public class FileSystemArtifactStore implements ArtifactStore {

	/** Keys are slash-separated segments of safe characters; no segment may be "." or "..". */
	private static final Pattern KEY = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$");

	private final Path root;

	public FileSystemArtifactStore(Path root) throws IOException {
		this.root = Files.createDirectories(root).toAbsolutePath().normalize();
	}

	@Override
	public StoredArtifact put(String key, InputStream content, long maxBytes) throws IOException {
		Path target = resolve(key);
		Files.createDirectories(target.getParent());
		if (Files.exists(target)) {
			throw new FileAlreadyExistsException(target.toString());
		}
		Path tmp = Files.createTempFile(target.getParent(), ".upload-", ".tmp");
		try {
			Sha256.Copied copied;
			try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE);
					OutputStream out = Channels.newOutputStream(channel)) {
				copied = Sha256.copy(content, out, maxBytes,
						"the artifact is larger than the configured limit of " + maxBytes + " bytes");
				out.flush();
				channel.force(true);
			}
			Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
			fsyncDirectory(target.getParent());
			return new StoredArtifact(key, copied.sha256(), copied.sizeBytes());
		}
		finally {
			Files.deleteIfExists(tmp);
		}
	}

	@Override
	public Path localVerifiedFile(String key, String expectedSha256) throws IOException {
		Path file = resolve(key);
		if (!Files.exists(file)) {
			throw new ArtifactMissingException(key);
		}
		String actual = Sha256.of(file);
		if (!actual.equals(expectedSha256)) {
			throw new ChecksumMismatchException(key, expectedSha256, actual);
		}
		return file;
	}

	@Override
	public boolean exists(String key) {
		return Files.exists(resolve(key));
	}

	@Override
	public void delete(String key) throws IOException {
		Files.deleteIfExists(resolve(key));
	}

	static void checkKey(String key) {
		if (key == null || !KEY.matcher(key).matches()) {
			throw new IllegalArgumentException("invalid artifact key: " + key);
		}
	}

	private Path resolve(String key) {
		checkKey(key);
		Path path = root.resolve(key).normalize();
		if (!path.startsWith(root)) {
			throw new IllegalArgumentException("artifact key escapes the store: " + key);
		}
		return path;
	}

	private static void fsyncDirectory(Path dir) {
		// Makes the rename durable on Linux; some platforms cannot open a directory, which is fine to skip.
		try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
			channel.force(true);
		}
		catch (IOException ex) {
			// not supported here
		}
	}

}
