package io.deepserve.inference;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import ai.djl.engine.Engine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.deepserve.config.DeepserveProperties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine's float32 convolutions agree with float64 in a fresh process whose environment does not cap oneDNN,
 * because {@link EngineService#capOneDnnIsa} caps it before the first convolution (on the CPUs where libtorch
 * 2.5.1's AVX-512 kernels are wrong, this fails without the cap).
 */
class OneDnnCapTests {

	@Test
	void aFreshProcessCapsOneDnnBeforeItsFirstConvolution() throws Exception {
		ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Dai.djl.offline=true", "-DENGINE_CACHE_DIR=" + System.getProperty("ENGINE_CACHE_DIR"), "-cp",
				System.getProperty("java.class.path"), Probe.class.getName());
		builder.environment().remove("ONEDNN_MAX_CPU_ISA");
		builder.environment().remove("DNNL_MAX_CPU_ISA");
		builder.redirectErrorStream(true);
		Process process = builder.start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
		assertThat(output).as(output).contains("convolutions right: true");
	}

	@Test
	void theProbeComparesAgainstFloat64InThisProcess() {
		// surefire runs with the cap in its environment, so here the probe must find the engine right
		assertThat(EngineService.convolutionsAreRight(Engine.getEngine("PyTorch"))).isTrue();
	}

	@Test
	void bf16IsRefusedUnderTheCapUnlessSlowBf16IsAllowed(@TempDir Path data) {
		// surefire's environment caps oneDNN at AVX2, below its bfloat16 kernels
		String refusal = engine(data, false).bf16Refusal();

		assertThat(refusal).isNotNull().containsAnyOf("capped at AVX2", "no avx512_bf16");
		assertThat(engine(data, true).bf16Refusal()).isNull();
	}

	private static EngineService engine(Path data, boolean allowSlowBf16) {
		return new EngineService(new DeepserveProperties(data, new DeepserveProperties.Engine("PyTorch", false,
				allowSlowBf16), null, null, null, null, null, null, Set.of()));
	}

	/** What the fresh process runs: the cap, then the probe. */
	static final class Probe {

		public static void main(String[] args) throws IOException {
			EngineService.capOneDnnIsa();
			System.out.println("convolutions right: " + EngineService.convolutionsAreRight(Engine.getEngine("PyTorch")));
		}

	}

}
