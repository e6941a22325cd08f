package io.deepserve.inference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets an idle thread give back the OpenMP team PyTorch made for it, because an idle team slows every busy thread in
 * the process (BENCHMARKS.md, "Why serving threads go idle"). {@code omp_pause_resource_all} frees the calling
 * thread's team; its next parallel operation makes a new one, which costs a thread start. And lets a thread limit
 * its own team's size ({@code omp_set_num_threads}).
 * <p>
 * The call must reach the libgomp that libtorch loaded (its own copy, not the system's), so the library is found in
 * the process's memory map. Where there is none (no {@code /proc}, another OpenMP runtime), releasing does nothing.
 */
public final class OpenMpTeams {

	private static final Logger log = LoggerFactory.getLogger(OpenMpTeams.class);

	/** {@code omp_pause_soft}: free the threads, keep nothing that must be rebuilt beyond them. */
	private static final int PAUSE_SOFT = 1;

	private OpenMpTeams() {
	}

	/** Frees the calling thread's OpenMP team, if it has one; returns whether libgomp was there to ask. */
	public static boolean releaseCurrentThread() {
		Optional<Function> pause = Gomp.PAUSE;
		if (pause.isEmpty()) {
			return false;
		}
		int rc = pause.get().invokeInt(new Object[] { PAUSE_SOFT });
		if (rc != 0) {
			// only inside a parallel region, which an idle worker never is
			log.debug("omp_pause_resource_all returned {} on {}", rc, Thread.currentThread().getName());
		}
		return true;
	}

	/**
	 * Sets how many threads the calling thread's parallel operations use from now on ({@code omp_set_num_threads}
	 * acts on the calling thread only); returns whether libgomp was there to ask. For a network so small that a
	 * second thread costs more in waking and waiting than it computes (BENCHMARKS.md, "Forecast latency").
	 */
	public static boolean limitCurrentThread(int threads) {
		Optional<Function> limit = Gomp.LIMIT;
		if (limit.isEmpty()) {
			return false;
		}
		limit.get().invokeVoid(new Object[] { threads });
		return true;
	}

	/** Resolved on first use, after the engine has loaded its libraries. */
	private static final class Gomp {

		/** Read from the memory map once, for every function looked up in it. */
		private static final Optional<String> LIBRARY = libgomp(Path.of("/proc/self/maps"));

		static final Optional<Function> PAUSE = find("omp_pause_resource_all");

		static final Optional<Function> LIMIT = find("omp_set_num_threads");

		private static Optional<Function> find(String name) {
			Optional<String> library = LIBRARY;
			if (library.isEmpty()) {
				log.info("no libgomp in this process: engine threads cannot call {}", name);
				return Optional.empty();
			}
			try {
				Function function = NativeLibrary.getInstance(library.get()).getFunction(name);
				log.info("engine threads reach {} through {}", name, library.get());
				return Optional.of(function);
			}
			catch (UnsatisfiedLinkError ex) {
				log.info("{} has no {} ({}): engine threads do without it", library.get(), name, ex.getMessage());
				return Optional.empty();
			}
		}

	}

	/** The libgomp mapped beside libtorch, or else the only one mapped. */
	static Optional<String> libgomp(Path maps) {
		List<String> paths;
		try {
			paths = Files.readAllLines(maps)
				.stream()
				.map(line -> line.indexOf('/') < 0 ? "" : line.substring(line.indexOf('/')))
				.filter(path -> !path.isEmpty())
				.distinct()
				.toList();
		}
		catch (IOException | RuntimeException ex) {
			return Optional.empty();
		}
		List<String> gomps = paths.stream().filter(path -> fileName(path).startsWith("libgomp")).toList();
		Optional<String> torchDir = paths.stream()
			.filter(path -> fileName(path).startsWith("libtorch_cpu"))
			.map(OpenMpTeams::directory)
			.findFirst();
		Optional<String> besideTorch = gomps.stream()
			.filter(path -> torchDir.isPresent() && directory(path).equals(torchDir.get()))
			.findFirst();
		return besideTorch.isPresent() || gomps.size() != 1 ? besideTorch : Optional.of(gomps.get(0));
	}

	private static String fileName(String path) {
		return path.substring(path.lastIndexOf('/') + 1);
	}

	private static String directory(String path) {
		return path.substring(0, path.lastIndexOf('/') + 1);
	}

}
