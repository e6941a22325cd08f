package io.deepserve.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Extracted copies of DJL model zips under the cache directory, one folder per version and digest. Extraction goes
 * to a temporary folder that is renamed into place, so a half-extracted model is never seen.
 */
final class ModelCache {

	private final Path root;

	ModelCache(Path root) {
		this.root = root;
	}

	/** @param verified the artifact's bytes, already checked against its SHA-256 */
	synchronized Path materialize(ModelVersion version, Path verified) throws IOException {
		if (version.isTorchScript()) {
			return verified;
		}
		Path dir = folder(version);
		if (Files.isDirectory(dir)) {
			return modelDir(dir);
		}
		Files.createDirectories(dir.getParent());
		Path tmp = Files.createTempDirectory(dir.getParent(), ".extract-");
		try {
			extract(verified, tmp);
			Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
			return modelDir(dir);
		}
		finally {
			deleteTree(tmp);
		}
	}

	synchronized void evict(ModelVersion version) throws IOException {
		deleteTree(folder(version));
	}

	/** The folder holding the {@code .params} file: the zip may wrap the model in one top folder. */
	static Path modelDir(Path dir) throws IOException {
		try (Stream<Path> walk = Files.walk(dir)) {
			return walk.filter(p -> p.getFileName().toString().endsWith(".params"))
				.findFirst()
				.map(Path::getParent)
				.orElse(dir);
		}
	}

	private Path folder(ModelVersion version) {
		return root.resolve(version.name()).resolve(version.version() + "-" + version.sha256().substring(0, 16));
	}

	static void extract(Path zipFile, Path target) throws IOException {
		try (ZipFile zip = new ZipFile(zipFile.toFile())) {
			Enumeration<? extends ZipEntry> entries = zip.entries();
			while (entries.hasMoreElements()) {
				ZipEntry entry = entries.nextElement();
				ArtifactLayout.requireSafe(entry.getName());
				Path out = target.resolve(entry.getName()).normalize();
				if (!out.startsWith(target)) {
					throw new IOException("zip entry escapes the model folder: " + entry.getName());
				}
				if (entry.isDirectory()) {
					Files.createDirectories(out);
					continue;
				}
				Files.createDirectories(out.getParent());
				try (InputStream in = zip.getInputStream(entry)) {
					Files.copy(in, out);
				}
			}
		}
	}

	static void deleteTree(Path path) throws IOException {
		if (!Files.exists(path)) {
			return;
		}
		try (Stream<Path> walk = Files.walk(path)) {
			walk.sorted(Comparator.reverseOrder()).forEach(p -> {
				try {
					Files.delete(p);
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			});
		}
	}

}
