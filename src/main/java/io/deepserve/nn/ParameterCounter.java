package io.deepserve.nn;

import java.util.Set;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.Initializer;

/**
 * Counts a block's trainable parameters without allocating its weights (VGG-16 would be 550 MB). DJL works out
 * parameter shapes only while initialising, so every parameter is initialised to a one-element placeholder and
 * its shape is read instead. The block is useless afterwards: count only throwaway blocks.
 */
public final class ParameterCounter {

	private static final Initializer PLACEHOLDER = (manager, shape, dataType) -> manager.zeros(new Shape(1), dataType);

	/** Batch-norm running statistics are buffers, not parameters, in the reference counts. */
	private static final Set<Parameter.Type> NOT_TRAINED = Set.of(Parameter.Type.RUNNING_MEAN,
			Parameter.Type.RUNNING_VAR);

	private ParameterCounter() {
	}

	/** Gives every parameter of {@code block} its shape for {@code input}; the placeholders live in manager. */
	static void shape(Block block, NDManager manager, Shape input) {
		block.setInitializer(PLACEHOLDER, parameter -> true);
		block.initialize(manager, DataType.FLOAT32, input);
	}

	/**
	 * @return the trainable parameters (not batch-norm statistics) of a loaded block, or of one passed through
	 * {@link #shape}
	 */
	public static long count(Block block) {
		return block.getParameters()
			.values()
			.stream()
			.filter(parameter -> !NOT_TRAINED.contains(parameter.getType()))
			// shaped blocks hold placeholder arrays: the declared shape is the truth where there is one
			.mapToLong(parameter -> parameter.getShape() != null ? parameter.getShape().size()
					: parameter.getArray().size())
			.sum();
	}

}
