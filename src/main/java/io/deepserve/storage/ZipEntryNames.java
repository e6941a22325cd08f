package io.deepserve.storage;

import java.util.Arrays;
import java.util.List;

import io.deepserve.error.DeepserveException;
import io.deepserve.error.InvalidInputException;

/** The one zip-slip check: an entry name that could land outside the folder it is extracted to is refused. */
public final class ZipEntryNames {

	private ZipEntryNames() {
	}

	/**
	 * @return the entry's path segments, without empty and {@code .} ones
	 * @throws DeepserveException {@code 400 unsafe_zip_entry} for an absolute path, a drive letter, a {@code ..} segment
	 * or a NUL character
	 */
	public static List<String> safeSegments(String name) {
		String path = name.replace('\\', '/');
		boolean absolute = path.startsWith("/") || path.matches("^[A-Za-z]:.*");
		List<String> segments = Arrays.stream(path.split("/")).filter(s -> !s.isEmpty() && !s.equals(".")).toList();
		if (absolute || segments.contains("..") || path.indexOf('\0') >= 0) {
			throw new InvalidInputException("unsafe_zip_entry",
					"entry '" + name + "' is an absolute path or climbs out of its folder");
		}
		return segments;
	}

}
