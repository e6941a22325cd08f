package io.deepserve.nn;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;

import io.deepserve.error.InvalidInputException;

/**
 * Fills a network built with {@link TorchvisionNames} from a torchvision state dict in safetensors form. Every
 * parameter and batch-norm buffer is matched by name; the file's tensors are read one at a time as the network is
 * initialised, so the weights are held once.
 */
final class TorchvisionImporter {

	/** A counter PyTorch keeps beside batch-norm statistics; it plays no part in a forward pass. */
	private static final String BATCHES_TRACKED = ".num_batches_tracked";

	private TorchvisionImporter() {
	}

	static void load(Block block, TorchvisionNames names, Path weights, NDManager manager, DataType dataType,
			Shape input) {
		Map<String, Parameter> parameters = names.parameters(block);
		try (Safetensors file = Safetensors.open(weights)) {
			Map<String, Safetensors.Tensor> tensors = file.tensors();
			for (String name : parameters.keySet()) {
				if (!tensors.containsKey(name)) {
					throw Safetensors.invalid("tensor " + name + " is missing from the file; is it a "
							+ "torchvision network of this architecture?");
				}
			}
			for (String name : tensors.keySet()) {
				if (!parameters.containsKey(name) && !name.endsWith(BATCHES_TRACKED)) {
					throw Safetensors.invalid("tensor " + name + " in the file has no place in this architecture; "
							+ "is it a torchvision network of this architecture?");
				}
			}
			for (Map.Entry<String, Parameter> parameter : parameters.entrySet()) {
				Safetensors.Tensor tensor = tensors.get(parameter.getKey());
				parameter.getValue().setInitializer((m, shape, type) -> {
					requireShape(tensor, shape, names.head());
					try {
						NDArray array = file.read(m, tensor);
						if (type == DataType.FLOAT32) {
							return array;
						}
						try (array) {
							return array.toType(type, false);
						}
					}
					catch (IOException ex) {
						throw new UncheckedIOException(ex);
					}
				});
			}
			block.initialize(manager, dataType, input);
		}
		catch (IOException | UncheckedIOException ex) {
			throw Safetensors.invalid("the weights file could not be read: " + ex.getMessage());
		}
	}

	private static void requireShape(Safetensors.Tensor tensor, Shape expected, String head) {
		if (tensor.shape().equals(expected)) {
			return;
		}
		long[] got = tensor.shape().getShape();
		long[] want = expected.getShape();
		if (tensor.name().startsWith(head + ".") && got.length == want.length && got.length > 0
				&& Arrays.equals(got, 1, got.length, want, 1, want.length)) {
			throw new InvalidInputException("labels_mismatch", "the file's classifier (" + tensor.name() + ") has "
					+ got[0] + " outputs, but the metadata has " + want[0] + " labels");
		}
		throw Safetensors.invalid(
				"tensor " + tensor.name() + " has shape " + tensor.shape() + ", this architecture needs " + expected);
	}

}
