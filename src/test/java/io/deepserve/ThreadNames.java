package io.deepserve;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Counts this process's threads by their kernel name. libgomp's helper threads carry the name of the thread whose
 * OpenMP team they are, so a thread that has a team of n shows as n threads of its name.
 */
public final class ThreadNames {

	private ThreadNames() {
	}

	/** The kernel's name for a thread called {@code name}: its first 15 characters. */
	public static String kernelName(String name) {
		return name.length() <= 15 ? name : name.substring(0, 15);
	}

	/** The threads of this process whose kernel name is {@code kernelName}. */
	public static long count(String kernelName) throws IOException {
		try (var tasks = Files.list(Path.of("/proc/self/task"))) {
			return tasks.filter(task -> {
				try {
					return Files.readString(task.resolve("comm")).strip().equals(kernelName);
				}
				catch (IOException ex) {
					return false; // the thread ended meanwhile
				}
			}).count();
		}
	}

}
