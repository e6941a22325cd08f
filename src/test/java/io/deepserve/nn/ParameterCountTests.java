package io.deepserve.nn;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The networks are the published ones: torchvision's parameter counts at 1000 classes and 224 pixels, exactly
 * (counted from torchvision 0.14's models); the paper's GoogLeNet against the paper's count.
 */
class ParameterCountTests {

	Architectures architectures = new Architectures();

	@ParameterizedTest
	@CsvSource({ "resnet18, 11689512", "resnet34, 21797672", "resnet50, 25557032", "resnet101, 44549160",
			"resnet152, 60192808", "vgg11, 132863336", "vgg11_bn, 132868840", "vgg13, 133047848",
			"vgg13_bn, 133053736", "vgg16, 138357544", "vgg16_bn, 138365992", "vgg19, 143667240",
			"vgg19_bn, 143678248", "alexnet, 61100840", "densenet121, 7978856",
			"densenet169, 14149480", "densenet201, 20013928", "mobilenet_v2, 3504872",
			"googlenet_torchvision, 6624904" })
	void matchesTorchvisionAt224(String name, long reference) {
		long at224 = architectures.countClassifier(architectures.classifier(name), 1000, 224);

		assertThat(at224).isEqualTo(reference);
		assertThat(architectures.parameterCount(name, 1000, 224)).as("counted at the minimum size").isEqualTo(at224);
	}

	/**
	 * The 2012 paper's layer shapes: a convolution has filters x (input channels / groups) x kernel^2 weights plus
	 * a bias each; the two-GPU layers are grouped in two. 60,965,224 at 1000 classes, the paper's "60 million".
	 */
	@Test
	void thePapersAlexNetHasItsLayersParameters() {
		long expected = conv(3, 96, 11, 1) + conv(96, 256, 5, 2) + conv(256, 384, 3, 1) + conv(384, 384, 3, 2)
				+ conv(384, 256, 3, 2) + linear(256 * 6 * 6, 4096) + linear(4096, 4096) + linear(4096, 1000);

		long at224 = architectures.countClassifier(architectures.classifier("alexnet-paper"), 1000, 224);

		assertThat(at224).isEqualTo(expected).isEqualTo(60_965_224L);
		assertThat(architectures.parameterCount("alexnet-paper", 1000, 224)).isEqualTo(at224);
	}

	@Test
	void vggALrnHasAsParametersAsA() {
		assertThat(architectures.countClassifier(architectures.classifier("vgg11-lrn"), 1000, 224))
			.isEqualTo(architectures.countClassifier(architectures.classifier("vgg11"), 1000, 224));
	}

	/**
	 * Growth rate and compression change every layer: with k = 12 and theta = 0.6 a DenseNet-121 has a stem of 24,
	 * layers of 4k-wide bottlenecks adding k maps each, transitions keeping 60% of the maps (rounded down).
	 */
	@Test
	void denseNetsGrowthAndCompressionAreHonoured() {
		int growth = 12;
		double compression = 0.6;
		int[] blocks = { 6, 12, 24, 16 };

		long actual;
		var block = DenseNet.build(1000, new TorchvisionNames(), growth, compression, 2 * growth, blocks);
		try (var manager = ai.djl.ndarray.NDManager.newBaseManager()) {
			ParameterCounter.shape(block, manager, new ai.djl.ndarray.types.Shape(1, 3, 64, 64));
			actual = ParameterCounter.count(block);
		}

		assertThat(actual).isEqualTo(denseNetFromLayerShapes(growth, compression, 1000, blocks));
	}

	/**
	 * The growthRate option against torchvision 0.14's own count of
	 * {@code DenseNet(growth_rate=G, block_config=..., num_init_features=2*G, num_classes=10)}, summing
	 * {@code p.numel()} over its parameters.
	 */
	@ParameterizedTest
	@CsvSource({ "densenet121, 12, 1003546", "densenet169, 16, 3171402", "densenet121, 32, 6964106" })
	void growthRateOptionMatchesTorchvisionsDenseNet(String name, int growth, long reference) {
		var options = new io.deepserve.registry.ArchitectureOptions(growth, null);

		assertThat(architectures.parameterCount(name, 10, 224, options)).isEqualTo(reference);
	}

	/** torchvision has no compression but 0.5: the count of another is derived from the layer shapes. */
	@ParameterizedTest
	@CsvSource({ "densenet121, 0.25, 32, 6:12:24:16", "densenet201, 1.0, 32, 6:12:48:32",
			"densenet169, 0.75, 12, 6:12:32:32" })
	void compressionOptionShrinksTheTransitions(String name, float compression, int growth, String config) {
		int[] blocks = java.util.Arrays.stream(config.split(":")).mapToInt(Integer::parseInt).toArray();
		var options = new io.deepserve.registry.ArchitectureOptions(growth == 32 ? null : growth, compression);

		long count = architectures.parameterCount(name, 10, 64, options);

		assertThat(count).isEqualTo(denseNetFromLayerShapes(growth, compression, 10, blocks))
			.isNotEqualTo(denseNetFromLayerShapes(growth, 0.5, 10, blocks));
	}

	@Test
	void denseNetOptionsAtTheirDefaultsAreTorchvisionsNetwork() {
		var defaults = new io.deepserve.registry.ArchitectureOptions(32, 0.5f);

		assertThat(architectures.parameterCount("densenet121", 1000, 224, defaults)).isEqualTo(7978856);
	}

	private static long denseNetFromLayerShapes(int growth, double compression, int classes, int... blocks) {
		long expected = conv(3, 2 * growth, 7, 1) - 2 * growth + batchNorm(2 * growth);
		int channels = 2 * growth;
		for (int b = 0; b < blocks.length; b++) {
			for (int i = 0; i < blocks[b]; i++) {
				expected += batchNorm(channels) + (long) channels * 4 * growth + batchNorm(4 * growth)
						+ 4L * growth * growth * 9;
				channels += growth;
			}
			if (b < blocks.length - 1) {
				int out = (int) (channels * compression);
				expected += batchNorm(channels) + (long) channels * out;
				channels = out;
			}
		}
		return expected + batchNorm(channels) + linear(channels, classes);
	}

	private static long conv(int in, int out, int kernel, int groups) {
		return (long) out * (in / groups) * kernel * kernel + out;
	}

	private static long linear(int in, int out) {
		return (long) in * out + out;
	}

	/** Trainable gamma and beta; the running statistics are not parameters a count includes. */
	private static long batchNorm(int channels) {
		return 2L * channels;
	}

	@Test
	void thePapersGoogLeNetMatchesItsPublishedCount() {
		long reference = 6998552;

		long at224 = architectures.countClassifier(architectures.classifier("googlenet"), 1000, 224);

		assertThat((double) at224).isCloseTo(reference, within(reference * 0.01));
	}

}
