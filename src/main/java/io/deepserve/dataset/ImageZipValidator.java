package io.deepserve.dataset;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;


import io.deepserve.config.DeepserveProperties;
import io.deepserve.error.DeepserveException;
import io.deepserve.error.InvalidInputException;
import io.deepserve.error.PayloadTooLargeException;
import io.deepserve.image.ImageDecoder;

/** Checks every image of an uploaded zip decodes within the limits, and summarises the classes. */
final class ImageZipValidator {

	private ImageZipValidator() {
	}

	static Summary validate(Path file, DeepserveProperties.Datasets limits) throws IOException {
		try (ZipFile zip = open(file)) {
			List<ImageFolder.Entry> entries = ImageZipLayout.read(zip, limits.maxEntries());
			Map<String, Integer> counts = count(entries, null);
			if (counts.size() < 2) {
				throw new InvalidInputException("too_few_classes",
						"an image dataset needs at least 2 classes; this zip has " + counts.keySet());
			}
			long budget = limits.maxUncompressedSize().toBytes();
			long declared = Collections.list(zip.entries()).stream().mapToLong(e -> Math.max(e.getSize(), 0)).sum();
			if (declared > budget) {
				throw tooLarge(budget);
			}
			// Declared sizes can lie, so the bytes actually inflated are counted too.
			long[] inflated = { 0 };
			for (ImageFolder.Entry entry : entries) {
				ZipEntry zipEntry = zip.getEntry(entry.name());
				try (InputStream in = new Budgeted(zip.getInputStream(zipEntry), inflated, budget)) {
					ImageDecoder.decode(in, "entry '" + entry.name() + "'", limits.maxImagePixels());
				}
			}
			Dataset.Splits splits = entries.get(0).split() == null ? null
					: new Dataset.Splits(count(entries, "train"), count(entries, "val"));
			return Summary.images(List.copyOf(counts.keySet()), counts, splits);
		}
	}

	static ZipFile open(Path file) throws IOException {
		try {
			return new ZipFile(file.toFile());
		}
		catch (ZipException ex) {
			throw new InvalidInputException("invalid_archive", "the file is not a readable zip archive");
		}
	}

	/** Images per class, sorted by class; only those of {@code split} unless it is null. */
	private static Map<String, Integer> count(List<ImageFolder.Entry> entries, String split) {
		Map<String, Integer> counts = new TreeMap<>();
		entries.stream()
			.filter(e -> split == null || split.equals(e.split()))
			.forEach(e -> counts.merge(e.label(), 1, Integer::sum));
		return counts;
	}

	private static DeepserveException tooLarge(long budget) {
		return new PayloadTooLargeException("archive_too_large",
				"the zip expands to more than the configured limit of " + budget + " bytes");
	}

	/** Counts inflated bytes into a total shared by all entries, and stops past the budget. */
	private static final class Budgeted extends FilterInputStream {

		private final long[] total;

		private final long budget;

		Budgeted(InputStream in, long[] total, long budget) {
			super(in);
			this.total = total;
			this.budget = budget;
		}

		@Override
		public int read() throws IOException {
			int b = super.read();
			add(b < 0 ? 0 : 1);
			return b;
		}

		@Override
		public int read(byte[] buffer, int off, int len) throws IOException {
			int n = super.read(buffer, off, len);
			add(Math.max(n, 0));
			return n;
		}

		private void add(long n) {
			total[0] += n;
			if (total[0] > budget) {
				throw tooLarge(budget);
			}
		}

	}

}
