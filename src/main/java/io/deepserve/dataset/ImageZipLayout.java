package io.deepserve.dataset;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;


import io.deepserve.error.DeepserveException;
import io.deepserve.error.InvalidInputException;
import io.deepserve.error.PayloadTooLargeException;
import io.deepserve.storage.ZipEntryNames;

/**
 * Finds the images in a zip laid out as {@code <class>/<file>} or {@code train|val/<class>/<file>}, possibly
 * inside one folder wrapping everything, without decoding any. Refuses unsafe entry names outright.
 */
final class ImageZipLayout {

	private static final Set<String> SPLITS = Set.of("train", "val");

	private ImageZipLayout() {
	}

	static List<ImageFolder.Entry> read(ZipFile zip, int maxEntries) {
		if (zip.size() > maxEntries) {
			throw new PayloadTooLargeException("too_many_entries",
					"the zip holds " + zip.size() + " entries; the limit is " + maxEntries);
		}
		List<ZipEntry> files = new ArrayList<>();
		List<List<String>> paths = new ArrayList<>();
		Set<String> seen = new HashSet<>();
		for (ZipEntry entry : Collections.list(zip.entries())) {
			List<String> path = ZipEntryNames.safeSegments(entry.getName());
			if (entry.isDirectory() || path.isEmpty() || ignored(path)) {
				continue;
			}
			if (!seen.add(String.join("/", path))) {
				throw layout("entry '" + entry.getName() + "' appears more than once");
			}
			files.add(entry);
			paths.add(path);
		}
		if (files.isEmpty()) {
			throw new InvalidInputException("empty_dataset", "the zip holds no images");
		}
		if (hasWrapper(paths)) {
			paths.replaceAll(path -> path.subList(1, path.size()));
		}
		boolean split = paths.stream().allMatch(p -> p.size() == 3 && SPLITS.contains(p.get(0)));
		List<ImageFolder.Entry> entries = new ArrayList<>();
		for (int i = 0; i < files.size(); i++) {
			String name = files.get(i).getName();
			List<String> path = paths.get(i);
			if (path.size() != (split ? 3 : 2)) {
				throw layout("entry '" + name + "' is not at <class>/<file> or train|val/<class>/<file>");
			}
			String file = path.get(path.size() - 1).toLowerCase();
			if (!(file.endsWith(".png") || file.endsWith(".jpg") || file.endsWith(".jpeg"))) {
				throw new InvalidInputException("invalid_image",
						"entry '" + name + "' is not a .jpg, .jpeg or .png image");
			}
			entries.add(new ImageFolder.Entry(path.get(path.size() - 2), split ? path.get(0) : null, name));
		}
		if (split) {
			checkSplits(entries);
		}
		return entries;
	}

	/** Validation images of a class the model never trains on would only make the accuracy meaningless. */
	private static void checkSplits(List<ImageFolder.Entry> entries) {
		Set<String> trained = new HashSet<>();
		entries.stream().filter(e -> e.split().equals("train")).forEach(e -> trained.add(e.label()));
		if (trained.isEmpty()) {
			throw layout("the zip has a val/ folder but no train/ folder");
		}
		entries.stream().filter(e -> !trained.contains(e.label())).findFirst().ifPresent(e -> {
			throw layout("class '" + e.label() + "' is in val/ but not in train/");
		});
	}

	/** Finder and macOS leave these behind; they are never data. */
	private static boolean ignored(List<String> path) {
		return path.stream().anyMatch(s -> s.startsWith(".") || s.equals("__MACOSX"));
	}

	/** One folder holding everything, as "Compress" in a file manager makes: {@code shapes/x/1.png}. */
	private static boolean hasWrapper(List<List<String>> paths) {
		String top = paths.get(0).get(0);
		return !SPLITS.contains(top) && paths.stream().allMatch(p -> p.size() >= 3 && p.get(0).equals(top));
	}

	private static DeepserveException layout(String detail) {
		return new InvalidInputException("invalid_layout", detail);
	}

}
