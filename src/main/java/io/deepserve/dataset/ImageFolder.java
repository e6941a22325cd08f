package io.deepserve.dataset;

import java.awt.image.BufferedImage;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import io.deepserve.image.ImageDecoder;

/**
 * The images of a stored image dataset, read straight from its verified zip. Reading is safe from several
 * threads at once; close it when done.
 */
public final class ImageFolder implements Closeable {

	/**
	 * One image.
	 *
	 * @param label its class
	 * @param split {@code train}, {@code val}, or null when the zip was not split
	 * @param name its entry name inside the zip
	 */
	public record Entry(String label, String split, String name) {
	}

	private final ZipFile zip;

	private final List<Entry> entries;

	private final long maxImagePixels;

	ImageFolder(ZipFile zip, List<Entry> entries, long maxImagePixels) {
		this.zip = zip;
		this.entries = List.copyOf(entries);
		this.maxImagePixels = maxImagePixels;
	}

	/** Every image, in zip order. */
	public List<Entry> entries() {
		return entries;
	}

	/** The class labels, sorted. */
	public List<String> classes() {
		return entries.stream().map(Entry::label).distinct().sorted().toList();
	}

	/** Decodes one image as {@link BufferedImage#TYPE_INT_RGB}. */
	public BufferedImage read(Entry entry) {
		ZipEntry zipEntry = zip.getEntry(entry.name());
		if (zipEntry == null) {
			throw new IllegalArgumentException("no entry '" + entry.name() + "' in this dataset");
		}
		try (InputStream in = zip.getInputStream(zipEntry)) {
			return ImageDecoder.toRgb(ImageDecoder.decode(in, "entry '" + entry.name() + "'", maxImagePixels));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@Override
	public void close() throws IOException {
		zip.close();
	}

}
