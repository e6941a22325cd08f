package io.deepserve.nn;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Local response normalisation is the paper's formula, alpha on the plain sum: against hand numbers, and against
 * PyTorch's {@code nn.LocalResponseNorm}, whose alpha is n times the paper's.
 */
class LocalResponseNormTests {

	@Test
	void dividesEachChannelByItsNeighboursSquares() {
		// n = 3, k = 1, alpha = 1, beta = 1 over channels (1, 2, 3): windows {1,2}, {1,2,3}, {2,3}
		double[] out = forward(new LocalResponseNorm(3, 1, 1, 1), new double[] { 1, 2, 3 }, new Shape(1, 3, 1, 1));

		assertThat(out[0]).isCloseTo(1.0 / (1 + 1 + 4), within(1e-12));
		assertThat(out[1]).isCloseTo(2.0 / (1 + 1 + 4 + 9), within(1e-12));
		assertThat(out[2]).isCloseTo(3.0 / (1 + 4 + 9), within(1e-12));
	}

	@Test
	void thePapersConstantsUseTheSumNotTheMean() {
		// one channel of 100: b = 100 / (2 + 1e-4 * 100^2)^0.75 = 100 / 3^0.75; PyTorch's alpha would give 2.2^0.75
		double[] out = forward(LocalResponseNorm.alexNet(), new double[] { 100 }, new Shape(1, 1, 1, 1));

		assertThat(out[0]).isCloseTo(100 / Math.pow(3, 0.75), within(1e-9));
	}

	@Test
	void matchesPyTorchsLayerWithAlphaTimesN() throws Exception {
		int channels = 9;
		double[] input = new double[2 * channels * 2 * 3];
		for (int i = 0; i < input.length; i++) {
			input[i] = 40 * Math.sin(1.7 * i + 0.3);
		}
		double[] expected = pyTorch(input, "torch.nn.LocalResponseNorm(5, alpha=5 * 1e-4, beta=0.75, k=2.0)",
				"2, " + channels + ", 2, 3");

		double[] actual = forward(LocalResponseNorm.alexNet(), input, new Shape(2, channels, 2, 3));

		assertThat(actual).hasSameSizeAs(expected);
		for (int i = 0; i < actual.length; i++) {
			assertThat(actual[i]).as("element %d", i).isCloseTo(expected[i], within(1e-9));
		}
		assertThat(actual).as("the normalisation changes the values").isNotEqualTo(input);
	}

	private static double[] forward(LocalResponseNorm lrn, double[] values, Shape shape) {
		try (NDManager manager = NDManager.newBaseManager()) {
			NDArray x = manager.create(values, shape);
			lrn.initialize(manager, DataType.FLOAT64, shape);
			NDArray y = lrn.forward(new ParameterStore(manager, false), new NDList(x), false).singletonOrThrow();
			assertThat(y.getShape()).isEqualTo(shape);
			return y.toDoubleArray();
		}
	}

	/** The layer applied by Debian's python3-torch in float64, printed one value a line. */
	private static double[] pyTorch(double[] input, String layer, String shape)
			throws IOException, InterruptedException {
		String script = "import sys, torch\n" + "x = torch.tensor([float(v) for v in sys.stdin.read().split()], "
				+ "dtype=torch.float64).reshape(" + shape + ")\n" + "for v in " + layer
				+ "(x).flatten().tolist(): print(repr(v))\n";
		Process python = new ProcessBuilder("/usr/bin/python3", "-c", script).redirectErrorStream(true).start();
		try (var in = python.getOutputStream()) {
			StringBuilder text = new StringBuilder();
			Arrays.stream(input).forEach(v -> text.append(v).append('\n'));
			in.write(text.toString().getBytes(StandardCharsets.UTF_8));
		}
		String output;
		try (InputStream out = python.getInputStream()) {
			output = new String(out.readAllBytes(), StandardCharsets.UTF_8);
		}
		assertThat(python.waitFor(2, TimeUnit.MINUTES)).isTrue();
		assertThat(python.exitValue()).as(output).isZero();
		return output.lines().mapToDouble(Double::parseDouble).toArray();
	}

}
