package io.deepserve.inference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import com.sun.jna.NativeLibrary;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import io.deepserve.config.DeepserveProperties;

/**
 * Loads the deep-learning engine once, offline, from the native library bundled in the jar. Readiness (health
 * indicator {@code engine}) is DOWN until the engine has loaded, and stays DOWN if the loaded engine computes a
 * known-wrong convolution ({@link #convolutionsAreRight}).
 */
@Component("engine")
public class EngineService implements HealthIndicator {

	private static final Logger log = LoggerFactory.getLogger(EngineService.class);

	private final DeepserveProperties properties;

	private final CompletableFuture<Engine> engine = new CompletableFuture<>();

	private final AtomicReference<Thread> loader = new AtomicReference<>();

	/** oneDNN's ISA cap in this process: AVX2 when set here, the operator's value, or null for none. */
	private static volatile String oneDnnIsa;

	/** ONEDNN_MAX_CPU_ISA values at or above oneDNN's AVX-512 bfloat16 kernels. */
	private static final Set<String> BF16_ISAS = Set.of("DEFAULT", "ALL", "AVX512_CORE_BF16", "AVX512_CORE_FP16",
			"AVX512_CORE_AMX", "AVX512_CORE_AMX_FP16", "AVX10_1_512", "AVX10_1_512_AMX", "AVX10_1_512_AMX_FP16");

	/** Null until checked; then why the engine's convolutions cannot be trusted, or empty when they can. */
	private volatile String wrongResults;

	public EngineService(DeepserveProperties properties) {
		this.properties = properties;
		configureOffline(properties.cacheDir());
		capOneDnnIsa();
	}

	/**
	 * libtorch 2.5.1's oneDNN AVX-512 kernels compute wrong float32 results on these AMD EPYC CPUs for 3x3 and 5x5
	 * convolutions with 20, 24 or 40 input channels at batch 2 or more (off by about 1.5 on outputs of about 5;
	 * BENCHMARKS.md). Capping oneDNN at AVX2 gives the right results. oneDNN reads the variable at its first
	 * convolution, so setting it in this process before the engine runs is enough; a value the operator set wins.
	 */
	static void capOneDnnIsa() {
		String set = System.getenv("ONEDNN_MAX_CPU_ISA") != null ? System.getenv("ONEDNN_MAX_CPU_ISA")
				: System.getenv("DNNL_MAX_CPU_ISA");
		if (set != null) {
			oneDnnIsa = set.trim().toUpperCase(Locale.ROOT);
			return;
		}
		try {
			NativeLibrary.getInstance("c").getFunction("setenv").invokeInt(new Object[] { "ONEDNN_MAX_CPU_ISA", "AVX2", 0 });
			oneDnnIsa = "AVX2";
		}
		catch (RuntimeException | LinkageError ex) {
			log.warn("could not cap oneDNN at AVX2 ({}); set ONEDNN_MAX_CPU_ISA=AVX2 in the environment", ex.toString());
		}
	}

	/**
	 * Why bfloat16 cannot be served fast on this engine's CPU, or null when it can (and always on a GPU). oneDNN's
	 * bfloat16 kernels need AVX-512 with {@code avx512_bf16}; under a lower cap, this service's own AVX2 included,
	 * oneDNN falls back to reference code: a bfloat16 ResNet-18 ran about 7x slower than float32 here
	 * (BENCHMARKS.md, "bfloat16 serving and training").
	 */
	public String bf16Refusal() {
		if (engine().defaultDevice().isGpu()) {
			return null;
		}
		String slow = slowBf16();
		if (slow != null && properties.engine().allowSlowBf16()) {
			log.warn("bf16 is served as deepserve.engine.allow-slow-bf16 allows, though it is slow here: {}", slow);
			return null;
		}
		return slow;
	}

	private static String slowBf16() {
		if (!CpuFlags.FLAGS.contains("avx512_bf16")) {
			return "this CPU has no avx512_bf16 instructions (deepserve.engine.allow-slow-bf16 serves bf16 anyway, "
					+ "several times slower than fp32)";
		}
		String isa = oneDnnIsa;
		if (isa != null && !isa.isEmpty() && !BF16_ISAS.contains(isa)) {
			return "oneDNN is capped at " + isa + " (ONEDNN_MAX_CPU_ISA), below its bfloat16 kernels; the service caps "
					+ "it at AVX2 unless the environment sets ONEDNN_MAX_CPU_ISA, because libtorch 2.5.1's AVX-512 "
					+ "float32 convolutions are wrong on some CPUs (the engine readiness check says whether on this "
					+ "one): set ONEDNN_MAX_CPU_ISA=DEFAULT to serve bf16 fast, or deepserve.engine.allow-slow-bf16 to "
					+ "serve it several times slower than fp32";
		}
		return null;
	}

	/**
	 * Why this engine's float32 convolutions cannot be trusted (the readiness check failed), or null when they can or
	 * were not checked yet.
	 */
	public String wrongResults() {
		String wrong = wrongResults;
		return wrong == null || wrong.isEmpty() ? null : wrong;
	}

	/** The CPU's flags from {@code /proc/cpuinfo}, read once, when first asked for; none where it cannot be read. */
	private static final class CpuFlags {

		static final Set<String> FLAGS = read();

		private static Set<String> read() {
			try {
				for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
					if (line.startsWith("flags")) {
						return new HashSet<>(Arrays.asList(line.substring(line.indexOf(':') + 1).trim().split("\\s+")));
					}
				}
			}
			catch (IOException | RuntimeException ex) {
				log.debug("cannot read the CPU's flags", ex);
			}
			return Set.of();
		}

	}

	/**
	 * DJL reads these when it first loads an engine: never download, and keep its cache under the data directory.
	 * Values set on the command line win.
	 */
	static void configureOffline(Path cacheDir) {
		System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
		Path djlCache = cacheDir.resolve("djl").toAbsolutePath();
		if (System.getProperty("DJL_CACHE_DIR") == null && System.getenv("DJL_CACHE_DIR") == null) {
			System.setProperty("DJL_CACHE_DIR", djlCache.toString());
		}
		if (System.getProperty("ENGINE_CACHE_DIR") == null && System.getenv("ENGINE_CACHE_DIR") == null) {
			System.setProperty("ENGINE_CACHE_DIR", djlCache.toString());
		}
		try {
			Files.createDirectories(djlCache);
		}
		catch (IOException ex) {
			throw new IllegalStateException("cannot create the engine cache " + djlCache, ex);
		}
	}

	@EventListener(ApplicationStartedEvent.class)
	void loadInBackground() {
		if (!properties.engine().loadAtStartup()) {
			return;
		}
		Thread thread = new Thread(this::load, "engine-loader");
		thread.setDaemon(true);
		if (loader.compareAndSet(null, thread)) {
			thread.start();
		}
	}

	private void load() {
		try {
			long start = System.nanoTime();
			Engine loaded = Engine.getEngine(properties.engine().name());
			log.info("{} engine {} loaded in {} ms; GPUs visible: {}", loaded.getEngineName(), loaded.getVersion(),
					(System.nanoTime() - start) / 1_000_000, loaded.getGpuCount());
			wrongResults = convolutionsAreRight(loaded) ? "" : "a float32 3x3 convolution of 24 channels at batch 2 "
					+ "differs from float64 on this CPU: set ONEDNN_MAX_CPU_ISA=AVX2 in the environment";
			if (!wrongResults.isEmpty()) {
				log.error("the engine computes wrong results: {}", wrongResults);
			}
			engine.complete(loaded);
		}
		catch (RuntimeException | Error ex) {
			log.error("the {} engine failed to load", properties.engine().name(), ex);
			engine.completeExceptionally(ex);
		}
	}

	/** The engine, loading it now if the background load has not run (or is off). */
	public Engine engine() {
		if (loader.get() == null) {
			synchronized (this) {
				if (!engine.isDone()) {
					load();
				}
			}
		}
		return engine.join();
	}

	@Override
	public Health health() {
		if (!engine.isDone()) {
			return Health.down().withDetail("engine", properties.engine().name()).withDetail("state", "loading").build();
		}
		if (engine.isCompletedExceptionally()) {
			return Health.down().withDetail("engine", properties.engine().name()).withDetail("state", "failed").build();
		}
		Engine e = engine.join();
		if (wrongResults != null && !wrongResults.isEmpty()) {
			return Health.down().withDetail("engine", e.getEngineName()).withDetail("state", "wrong-results")
				.withDetail("reason", wrongResults).build();
		}
		return Health.up()
			.withDetail("engine", e.getEngineName())
			.withDetail("version", e.getVersion())
			.withDetail("gpus", e.getGpuCount())
			.build();
	}

	/** The smallest case of the oneDNN fault {@link #capOneDnnIsa} avoids, run in float32 against float64. */
	static boolean convolutionsAreRight(Engine engine) {
		try (NDManager manager = engine.newBaseManager()) {
			NDArray x = manager.randomNormal(new Shape(2, 24, 14, 14));
			NDArray w = manager.randomNormal(new Shape(64, 24, 3, 3)).mul(0.1);
			NDArray b = manager.zeros(new Shape(64));
			Shape one = new Shape(1, 1);
			NDArray single = Conv2d.conv2d(x, w, b, one, one, one, 1).singletonOrThrow();
			NDArray exact = Conv2d.conv2d(x.toType(DataType.FLOAT64, true), w.toType(DataType.FLOAT64, true),
					b.toType(DataType.FLOAT64, true), one, one, one, 1).singletonOrThrow();
			double off = single.toType(DataType.FLOAT64, true).sub(exact).abs().max().getDouble();
			return off < 1e-3;
		}
	}

}
