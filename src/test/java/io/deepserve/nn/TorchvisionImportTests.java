package io.deepserve.nn;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.deepserve.error.DeepserveException;
import io.deepserve.registry.ArchitectureOptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A torchvision network's weights, exported by {@code scripts/export_pretrained.py} (random weights: nothing can
 * be downloaded here), give torchvision's logits in deepserve's network of the same name.
 */
class TorchvisionImportTests {

	private static final int CLASSES = 10;

	private static final int SIZE = 64;

	private static final double TOLERANCE = 1e-4;

	Architectures architectures = new Architectures();

	@ParameterizedTest
	@ValueSource(strings = { "resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "vgg11", "vgg11_bn",
			"vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn", "alexnet", "densenet121", "densenet169",
			"mobilenet_v2", "googlenet_torchvision" })
	void givesTorchvisionsLogits(String name, @TempDir Path work) throws Exception {
		Path weights = export(name, CLASSES, work);

		assertThat(maxDifference(name, weights, work.resolve("reference"))).isLessThan(TOLERANCE);
	}

	/**
	 * A DenseNet of another growth rate imports from torchvision's {@code DenseNet(growth_rate=12,
	 * num_init_features=24, ...)}; a compression torchvision cannot have is refused.
	 */
	@Test
	void aDenseNetOfAnotherGrowthRateGivesTorchvisionsLogits(@TempDir Path work) throws Exception {
		Path weights = TorchvisionExport.random("densenet121", CLASSES, SIZE, work, List.of("--growth-rate", "12"))
			.weights();
		ArchitectureOptions growth12 = new ArchitectureOptions(12, null);

		try (NDManager manager = NDManager.newBaseManager()) {
			Block net = architectures.newPretrainedClassifier("densenet121", CLASSES, SIZE, weights, manager,
					DataType.FLOAT64, growth12);
			NDList expected = NDList.decode(manager, Files.readAllBytes(work.resolve("reference")));
			NDArray actual = net.forward(new ParameterStore(manager, false), new NDList(expected.get("input")), false)
				.head();
			assertThat(actual.sub(expected.get("logits")).abs().max().getDouble()).isLessThan(TOLERANCE);
			assertThatThrownBy(() -> architectures.newPretrainedClassifier("densenet121", CLASSES, SIZE, weights,
					manager, new ArchitectureOptions(12, 0.25f)))
				.isInstanceOfSatisfying(DeepserveException.class,
						ex -> assertThat(ex.code()).isEqualTo("no_torchvision_layout"));
		}
		assertRefused("densenet121", CLASSES, weights, "invalid_weights", "shape");
	}

	@Test
	void twoTensorsSwappedChangeTheLogits(@TempDir Path work) throws Exception {
		Path weights = export("resnet18", CLASSES, work);
		Path swapped = swap(weights, "layer3.1.bn2.bias", "layer3.1.bn2.running_mean", work.resolve("swapped"));

		assertThat(maxDifference("resnet18", swapped, work.resolve("reference"))).isGreaterThan(TOLERANCE);
	}

	@Test
	void aMismatchedFileIsRefusedNamingTheFirstOffendingTensor(@TempDir Path work) throws Exception {
		Path resnet18 = export("resnet18", CLASSES, work);

		assertRefused("resnet34", CLASSES, resnet18, "invalid_weights", "tensor layer1.2.conv1.weight is missing");
		assertRefused("vgg11", CLASSES, resnet18, "invalid_weights", "is missing");
		assertRefused("resnet18", CLASSES, swap(resnet18, "layer1.0.conv1.weight", "layer2.0.conv1.weight",
				work.resolve("shapes")), "invalid_weights", "tensor layer1.0.conv1.weight has shape (128, 64, 3, 3)");
		assertRefused("resnet18", 5, resnet18, "labels_mismatch", "has 10 outputs, but the metadata has 5 labels");
		assertRefused("googlenet", CLASSES, resnet18, "no_torchvision_layout", "googlenet has no torchvision");

		Path resnet34 = export("resnet34", CLASSES, work.resolve("34"));
		assertRefused("resnet18", CLASSES, resnet34, "invalid_weights",
				"tensor layer1.2.conv1.weight in the file has no place in this architecture");

		Path text = Files.writeString(work.resolve("text"), "not a weights file");
		assertRefused("resnet18", CLASSES, text, "invalid_weights", "not in safetensors format");
	}

	private void assertRefused(String name, int classes, Path weights, String code, String detail) {
		try (NDManager manager = NDManager.newBaseManager()) {
			assertThatThrownBy(() -> architectures.newPretrainedClassifier(name, classes, SIZE, weights, manager))
				.isInstanceOfSatisfying(DeepserveException.class, ex -> {
					assertThat(ex.code()).isEqualTo(code);
					assertThat(ex.getMessage()).contains(detail);
				});
		}
	}

	/** The largest difference between deepserve's logits and torchvision's on the reference input, in float64. */
	private double maxDifference(String name, Path weights, Path reference) throws IOException {
		try (NDManager manager = NDManager.newBaseManager()) {
			Block net = architectures.newPretrainedClassifier(name, CLASSES, SIZE, weights, manager,
					DataType.FLOAT64);
			NDList expected = NDList.decode(manager, Files.readAllBytes(reference));
			NDArray input = expected.get("input");
			NDArray logits = expected.get("logits");
			assertThat(input.getDataType()).isEqualTo(DataType.FLOAT64);

			NDArray actual = net.forward(new ParameterStore(manager, false), new NDList(input), false).head();

			assertThat(actual.getShape()).isEqualTo(logits.getShape());
			return actual.sub(logits).abs().max().getDouble();
		}
	}

	private static Path export(String name, int classes, Path dir) throws IOException, InterruptedException {
		return TorchvisionExport.random(name, classes, SIZE, dir).weights();
	}

	/** A copy of a safetensors file in which {@code a} and {@code b} have traded places (shape and data). */
	private static Path swap(Path file, String a, String b, Path target) throws IOException {
		ObjectMapper json = new ObjectMapper();
		byte[] bytes = Files.readAllBytes(file);
		int length = (int) ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
		ObjectNode header = (ObjectNode) json.readTree(new String(bytes, 8, length, StandardCharsets.UTF_8));
		JsonNode first = header.get(a);
		header.set(a, header.get(b));
		header.set(b, first);
		byte[] encoded = json.writeValueAsBytes(header);
		byte[] padded = new byte[(encoded.length + 7) / 8 * 8];
		Arrays.fill(padded, (byte) ' ');
		System.arraycopy(encoded, 0, padded, 0, encoded.length);
		try (OutputStream out = Files.newOutputStream(target)) {
			out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded.length).array());
			out.write(padded);
			out.write(bytes, 8 + length, bytes.length - 8 - length);
		}
		return target;
	}

}
