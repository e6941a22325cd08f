package io.deepserve.nn;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A network converted to bfloat16 computes in bfloat16 (its answer is bfloat16, DJL calls it UNKNOWN, and float32
 * input no longer fits it) and stays within bfloat16's rounding of its float32 answer.
 */
class ReducedPrecisionTests {

	private static final int SEED = 11;

	Architectures architectures = new Architectures();

	/**
	 * The bounds are about twice the worst of five seeds. A freshly initialised MobileNetV2 (batch norm with
	 * untrained statistics) carries rounding much further than the others (3.7–11% against at most 1.2%): rounding
	 * only its input to bfloat16 already moves its float32 logits by up to 0.05 in 2.8.
	 */
	@ParameterizedTest
	@CsvSource({ "resnet18, 0.03", "googlenet, 0.03", "densenet121, 0.03", "mobilenet_v2, 0.25" })
	void aNetworkBuiltHereRunsInBfloat16NearItsFloat32Answer(String name, double bound) {
		Block net = architectures.newClassifier(name, 5);
		try (NDManager manager = NDManager.newBaseManager(); ReducedPrecision casts = ReducedPrecision.open(manager)) {
			manager.getEngine().setRandomSeed(SEED);
			Shape shape = new Shape(2, 3, 64, 64);
			net.initialize(manager, DataType.FLOAT32, shape);
			// as a network loaded for serving: weights that record no gradients (a thread computes with gradients on
			// unless told otherwise, and the in-place cast leaves inference-mode weights autograd cannot save)
			net.freezeParameters(true);
			NDArray x = manager.randomUniform(-1, 1, shape);
			ParameterStore store = new ParameterStore(manager, false);
			float[] fp32 = net.forward(store, new NDList(x), false).head().toFloatArray();

			int changed = casts.toBfloat16(net);
			NDArray answer = net.forward(store, new NDList(casts.toBfloat16(x)), false).head();

			// every parameter, batch-norm statistics included
			assertThat(changed).isEqualTo(net.getParameters().size());
			assertThat(answer.getDataType()).isEqualTo(DataType.UNKNOWN);
			assertClose(answer.toType(DataType.FLOAT32, false).toFloatArray(), fp32, bound);
			assertThatThrownBy(() -> net.forward(store, new NDList(x), false)).isInstanceOf(RuntimeException.class);
		}
	}

	@Test
	void aTorchScriptModuleRunsInBfloat16WithItsNormalisationLeftInFloat32() throws IOException {
		try (NDManager manager = NDManager.newBaseManager(); ReducedPrecision casts = ReducedPrecision.open(manager)) {
			PtSymbolBlock tiny;
			try (InputStream in = getClass().getResourceAsStream("/fixtures/tiny-classifier.pt")) {
				tiny = JniUtils.loadModule((PtNDManager) manager, in, false, false);
			}
			manager.getEngine().setRandomSeed(SEED);
			NDArray x = manager.randomUniform(-1, 1, new Shape(4, 3, 32, 32));
			ParameterStore store = new ParameterStore(manager, false);
			float[] fp32 = tiny.forward(store, new NDList(x), false).head().toFloatArray();

			int changed = casts.toBfloat16(tiny);
			NDArray answer = tiny.forward(store, new NDList(casts.toBfloat16(x)), false).head();

			// conv and linear weights and biases
			assertThat(changed).isEqualTo(4);
			assertThat(answer.getDataType()).isEqualTo(DataType.UNKNOWN);
			assertClose(answer.toType(DataType.FLOAT32, false).toFloatArray(), fp32, 0.02);
		}
	}

	@Test
	void onlyLayersWithAMatrixWeightChangeInATorchScriptModule(@TempDir Path dir) throws Exception {
		// ResNet-18 as torchvision writes it: 20 convolutions and a linear layer (weight and bias) change, 20 batch
		// norms do not
		Path traced = dir.resolve("resnet18.pt");
		Process python = new ProcessBuilder("/usr/bin/python3", "-c", "import sys, torch, torchvision; "
				+ "torch.manual_seed(3); m = torchvision.models.resnet18(num_classes=5).eval(); "
				+ "torch.jit.trace(m, torch.zeros(1, 3, 64, 64)).save(sys.argv[1])", traced.toString())
			.redirectErrorStream(true)
			.start();
		String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(python.waitFor(5, TimeUnit.MINUTES)).isTrue();
		assertThat(python.exitValue()).as(output).isZero();
		try (NDManager manager = NDManager.newBaseManager(); ReducedPrecision casts = ReducedPrecision.open(manager)) {
			PtSymbolBlock resnet;
			try (InputStream in = Files.newInputStream(traced)) {
				resnet = JniUtils.loadModule((PtNDManager) manager, in, false, false);
			}
			manager.getEngine().setRandomSeed(SEED);
			NDArray x = manager.randomUniform(-1, 1, new Shape(2, 3, 64, 64));
			ParameterStore store = new ParameterStore(manager, false);
			float[] fp32 = resnet.forward(store, new NDList(x), false).head().toFloatArray();

			assertThat(casts.toBfloat16(resnet)).isEqualTo(20 + 2);
			assertThat(resnet.getParameters().size()).isEqualTo(20 + 2 + 2 * 20);
			float[] bf16 = resnet.forward(store, new NDList(casts.toBfloat16(x)), false).head()
				.toType(DataType.FLOAT32, false).toFloatArray();
			assertClose(bf16, fp32, 0.02);
		}
	}

	/**
	 * Within {@code bound} of the answer in relative L2 norm (bfloat16 keeps 8 bits of mantissa, about 0.4% per
	 * operation, compounded over the layers), and not equal, or nothing ran in bfloat16.
	 */
	private static void assertClose(float[] actual, float[] expected, double bound) {
		double error = 0;
		double norm = 0;
		for (int i = 0; i < expected.length; i++) {
			error += (actual[i] - expected[i]) * (double) (actual[i] - expected[i]);
			norm += expected[i] * (double) expected[i];
		}
		assertThat(Math.sqrt(error / norm)).isLessThan(bound).isGreaterThan(0);
	}

}
