package io.deepserve.nn;

import java.util.ArrayList;
import java.util.List;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.loss.Loss;

import io.deepserve.error.DeepserveException;
import io.deepserve.error.InvalidInputException;

/**
 * How a new classifier is put on top of a trained one for transfer learning. The result is a plain
 * {@link SequentialBlock} of the base's layers and a new linear head, the same structure
 * {@link Architectures#newClassifier} builds for the base's architecture, so a transferred version saves and loads
 * like one trained from scratch. A TorchScript base is one opaque layer whose output is taken as the features,
 * narrowed to the width of its classifier's input when that classifier was turned into an identity.
 */
public final class TransferHeads {

	private TransferHeads() {
	}

	/**
	 * The layers of a classifier up to its final linear layer, in order.
	 * @throws DeepserveException {@code 400 unsupported_base_model} unless the classifier is a sequence ending in one
	 */
	public static List<Block> body(Block classifier, String architecture) {
		List<Block> layers = classifier instanceof GoogLeNet googLeNet ? googLeNet.sequence()
				: classifier instanceof SequentialBlock sequence ? new ArrayList<>(sequence.getChildren().values())
						: List.of();
		if (!layers.isEmpty() && layers.get(layers.size() - 1) instanceof Linear) {
			return new ArrayList<>(layers.subList(0, layers.size() - 1));
		}
		throw new InvalidInputException("unsupported_base_model", "a " + architecture + " base model cannot be "
				+ "transferred: its network is not a sequence of layers ending in a linear classifier");
	}

	/** The layers of {@code body} up to and including {@code stage}, then global average pooling to a vector. */
	public static List<Block> cut(List<Block> body, Stage stage) {
		List<Block> layers = new ArrayList<>(body.subList(0, stage.to()));
		layers.add(Layers.globalAvgPool());
		return layers;
	}

	/** The first {@code width} columns of a (batch, n) matrix: the features an identity classifier passes on. */
	public static Block narrow(int width) {
		return new LambdaBlock(x -> new NDList(x.singletonOrThrow().get(new NDIndex(":, 0:" + width))), "narrow");
	}

	/** A new auxiliary classifier of GoogLeNet's, for a fine-tuned GoogLeNet base's new classes. */
	public static Block newAuxiliaryHead(int classes) {
		Architectures.requireClasses(classes);
		return GoogLeNet.auxiliaryHead(classes);
	}

	/** Cross-entropy on the logits, plus 0.3 times each auxiliary head's when there are auxiliary heads. */
	public static Loss loss(boolean auxiliaryHeads) {
		return auxiliaryHeads ? new AuxiliaryHeadsLoss() : Loss.softmaxCrossEntropyLoss();
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
