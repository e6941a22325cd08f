package io.deepserve.inference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.deepserve.ThreadNames;

import static org.assertj.core.api.Assertions.assertThat;

class OpenMpTeamsTests {

	private static final String TORCH = "/cache/pytorch/2.5.1-cpu/";

	@TempDir
	Path dir;

	@Test
	void findsTheLibgompBesideLibtorchNotTheSystemOne() throws IOException {
		assertThat(OpenMpTeams.libgomp(maps("/usr/lib/x86_64-linux-gnu/libgomp.so.1.0.0", TORCH + "libtorch_cpu.so",
				TORCH + "libgomp-98b21ff3.so.1", "[heap]")))
			.contains(TORCH + "libgomp-98b21ff3.so.1");
		assertThat(OpenMpTeams.libgomp(maps(TORCH + "libtorch_cpu.so", "/usr/lib/libgomp.so.1")))
			.as("the only one there is").contains("/usr/lib/libgomp.so.1");
		assertThat(OpenMpTeams.libgomp(maps("/a/libgomp.so.1", "/b/libgomp.so.1"))).as("which one is not known")
			.isEmpty();
		assertThat(OpenMpTeams.libgomp(maps(TORCH + "libtorch_cpu.so", "/usr/lib/libiomp5.so"))).isEmpty();
		assertThat(OpenMpTeams.libgomp(dir.resolve("missing"))).isEmpty();
	}

	@Test
	void anIdleThreadsTeamLeavesWhenReleasedAndComesBackWithTheNextParallelOperation() throws Exception {
		EngineService.configureOffline(dir.resolve("cache"));
		Engine.getEngine("PyTorch");
		int threads = JniUtils.getNumThreads();
		assertThat(threads).as("intra-op threads on this machine; with one there is no team to release")
			.isGreaterThan(1);
		AtomicReference<int[]> counts = new AtomicReference<>();
		AtomicReference<Throwable> failure = new AtomicReference<>();
		// helper threads started by libgomp carry the name of the thread whose team they are
		Thread probe = new Thread(() -> {
			try (NDManager manager = NDManager.newBaseManager()) {
				NDArray big = manager.ones(new Shape(1 << 22));
				big.add(1).close();
				int team = named("omp-probe");
				boolean released = OpenMpTeams.releaseCurrentThread();
				Thread.sleep(200);
				int afterRelease = named("omp-probe");
				big.add(1).close();
				counts.set(new int[] { team, released ? 1 : 0, afterRelease, named("omp-probe") });
			}
			catch (Throwable ex) {
				failure.set(ex);
			}
		}, "omp-probe");
		probe.start();
		probe.join();
		assertThat(failure.get()).isNull();
		int[] seen = counts.get();
		assertThat(seen[1]).as("libgomp found in this process").isEqualTo(1);
		assertThat(seen[0]).as("the thread and its team of " + threads).isEqualTo(threads);
		assertThat(seen[2]).as("the thread alone, once released").isEqualTo(1);
		assertThat(seen[3]).as("the team again after the next parallel operation").isEqualTo(threads);
	}

	@Test
	void aThreadLimitedToOneRunsItsParallelOperationsWithoutATeamAndOthersKeepTheirs() throws Exception {
		EngineService.configureOffline(dir.resolve("cache"));
		Engine.getEngine("PyTorch");
		int threads = JniUtils.getNumThreads();
		assertThat(threads).as("intra-op threads on this machine").isGreaterThan(1);
		assertThat(teamAfterOneOperation("omp-one", true)).as("limited: the thread alone").isEqualTo(1);
		assertThat(teamAfterOneOperation("omp-all", false)).as("another thread, not limited").isEqualTo(threads);
	}

	/** The threads named {@code name} after a thread of that name ran one large parallel operation. */
	private static int teamAfterOneOperation(String name, boolean limitToOne) throws Exception {
		AtomicReference<Object> seen = new AtomicReference<>();
		Thread probe = new Thread(() -> {
			try (NDManager manager = NDManager.newBaseManager()) {
				if (limitToOne && !OpenMpTeams.limitCurrentThread(1)) {
					throw new IllegalStateException("no libgomp found to limit the thread with");
				}
				manager.ones(new Shape(1 << 22)).add(1).close();
				seen.set(named(name));
			}
			catch (Throwable ex) {
				seen.set(ex);
			}
		}, name);
		probe.start();
		probe.join();
		assertThat(seen.get()).isInstanceOf(Integer.class);
		return (Integer) seen.get();
	}

	private static int named(String name) throws IOException {
		return (int) ThreadNames.count(name);
	}

	private Path maps(String... paths) throws IOException {
		StringBuilder text = new StringBuilder();
		for (String path : paths) {
			text.append("7f0000000000-7f0000001000 r-xp 00000000 fd:01 42 ").append(path).append('\n');
		}
		text.append("7ffd00000000-7ffd00001000 rw-p 00000000 00:00 0\n");
		return Files.writeString(dir.resolve("maps" + paths.length), text);
	}

}
