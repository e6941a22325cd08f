package io.deepserve.nn;

import java.util.ArrayList;
import java.util.List;

import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;

import io.deepserve.error.DeepserveException;
import io.deepserve.error.InvalidInputException;

/**
 * How a new classifier is put on top of a trained one for transfer learning. The result is a plain
 * {@link SequentialBlock} of the base's layers and a new linear head, the same structure
 * {@link Architectures#newClassifier} builds for the base's architecture, so a transferred version saves and loads
 * like one trained from scratch. A TorchScript base is one opaque layer whose output is taken as the features.
 */
public final class TransferHeads {

	private TransferHeads() {
	}

	/**
	 * The layers of a classifier up to its final linear layer, in order.
	 * @throws DeepserveException {@code 400 unsupported_base_model} unless the classifier is a sequence ending in one
	 */
	public static List<Block> body(Block classifier, String architecture) {
		if (classifier instanceof SequentialBlock sequence && !sequence.getChildren().isEmpty()
				&& sequence.getChildren().get(sequence.getChildren().size() - 1).getValue() instanceof Linear) {
			List<Block> layers = new ArrayList<>(sequence.getChildren().values());
			layers.remove(layers.size() - 1);
			return layers;
		}
		throw new InvalidInputException("unsupported_base_model", "a " + architecture + " base model cannot be "
				+ "transferred: its network is not a sequence of layers ending in a linear classifier");
	}

	/** A new, uninitialised linear classifier of {@code classes} outputs. */
	public static Block newHead(int classes) {
		Architectures.requireClasses(classes);
		return Layers.linear(classes);
	}

	/** {@code body} then {@code head}, as one network. */
	public static SequentialBlock sequence(List<Block> body, Block head) {
		SequentialBlock network = new SequentialBlock();
		body.forEach(network::add);
		return network.add(head);
	}

}
