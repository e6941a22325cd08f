package io.deepserve.training.vision;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The network a transfer-learning job trains: the frozen layers of the base, always run as at inference (batch
 * norms keep their running statistics, dropout is off, nothing is recorded for gradients), then the base layers
 * that train, then the new head. It is never saved: the job saves the same layers as one plain sequence. A
 * fine-tuned GoogLeNet base also has auxiliary heads on some trainable layers; a training forward gives their
 * logits after the head's, an inference forward the head's alone.
 */
final class TransferBlock extends AbstractBlock {

	private final List<Block> frozen;

	private final List<Block> trainable;

	private final Block head;

	/** Auxiliary heads by the index, in {@code trainable}, of the layer whose output they read. */
	private final Map<Integer, Block> auxiliary;

	TransferBlock(List<Block> frozen, List<Block> trainable, Block head) {
		this(frozen, trainable, head, Map.of());
	}

	TransferBlock(List<Block> frozen, List<Block> trainable, Block head, Map<Integer, Block> auxiliary) {
		this.frozen = frozen;
		this.trainable = trainable;
		this.head = head;
		this.auxiliary = auxiliary;
		for (int i = 0; i < frozen.size(); i++) {
			addChildBlock("frozen" + i, frozen.get(i));
		}
		for (int i = 0; i < trainable.size(); i++) {
			addChildBlock("trainable" + i, trainable.get(i));
		}
		addChildBlock("head", head);
		auxiliary.forEach((layer, block) -> addChildBlock("auxiliary" + layer, block));
	}

	/** Whether no base layer trains, so an image's features stay the same for the whole job. */
	boolean baseFrozen() {
		return trainable.isEmpty();
	}

	Block head() {
		return head;
	}

	/**
	 * What the head is given for a batch of images when the base is frozen: the frozen layers run as at inference,
	 * exactly as in a training or validation forward.
	 */
	NDArray frozenFeatures(ParameterStore parameterStore, NDArray images) {
		return features(parameterStore, new NDList(images), false, null).singletonOrThrow();
	}

	@Override
	protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs, boolean training,
			PairList<String, Object> params) {
		List<NDList> taps = new ArrayList<>();
		NDList features = features(parameterStore, inputs, training, params, training ? taps : null);
		NDList outputs = head.forward(parameterStore, features, training, params);
		if (taps.isEmpty()) {
			return outputs;
		}
		NDList all = new NDList(outputs.singletonOrThrow());
		int i = 0;
		for (Block block : auxiliary.values()) {
			all.add(block.forward(parameterStore, taps.get(i++), true, params).singletonOrThrow());
		}
		return all;
	}

	private NDList features(ParameterStore parameterStore, NDList inputs, boolean training,
			PairList<String, Object> params) {
		return features(parameterStore, inputs, training, params, null);
	}

	/** @param taps where the outputs the auxiliary heads read are collected, in their order; null for none */
	private NDList features(ParameterStore parameterStore, NDList inputs, boolean training,
			PairList<String, Object> params, List<NDList> taps) {
		NDList x = inputs;
		for (Block layer : frozen) {
			x = layer.forward(parameterStore, x, false, params);
		}
		if (!frozen.isEmpty()) {
			x = ordinary(x);
		}
		for (int i = 0; i < trainable.size(); i++) {
			x = trainable.get(i).forward(parameterStore, x, training, params);
			if (taps != null && auxiliary.containsKey(i)) {
				taps.add(x);
			}
		}
		// a TorchScript base that trains still runs as at inference in a validation forward
		return training || trainable.isEmpty() ? x : ordinary(x);
	}

	/**
	 * PyTorch marks what an inference forward gives as inference tensors, which autograd refuses to keep for the
	 * head's gradients (the head's weights want them even in a validation forward).
	 */
	private static NDList ordinary(NDList x) {
		NDList copies = new NDList(x.size());
		x.forEach(array -> copies.add(array.duplicate()));
		return copies;
	}

	/** The base is already loaded; only the head needs shapes, taken from one forward of a zero image. */
	@Override
	protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
		head.initialize(manager, dataType, featureShape(manager, inputShapes[0]));
		if (!auxiliary.isEmpty()) {
			try (NDManager scratch = manager.newSubManager()) {
				List<NDList> taps = new ArrayList<>();
				Shape one = new Shape(1).addAll(inputShapes[0].slice(1));
				features(new ParameterStore(scratch, false), new NDList(scratch.zeros(one)), false, null, taps);
				int i = 0;
				for (Block block : auxiliary.values()) {
					NDArray tap = taps.get(i++).singletonOrThrow();
					block.initialize(manager, dataType, new Shape(inputShapes[0].get(0)).addAll(tap.getShape().slice(1)));
				}
			}
		}
	}

	@Override
	public Shape[] getOutputShapes(Shape[] inputShapes) {
		try (NDManager scratch = NDManager.newBaseManager()) {
			return head.getOutputShapes(new Shape[] { featureShape(scratch, inputShapes[0]) });
		}
	}

	private Shape featureShape(NDManager manager, Shape input) {
		try (NDManager scratch = manager.newSubManager()) {
			Shape one = new Shape(1).addAll(input.slice(1));
			NDList features = features(new ParameterStore(scratch, false), new NDList(scratch.zeros(one)), false,
					null);
			Shape shape = features.singletonOrThrow().getShape();
			if (shape.dimension() != 2) {
				throw new IllegalArgumentException("the base model gives features of shape " + shape
						+ " for one image; a new head needs (batch, features)");
			}
			return new Shape(input.get(0), shape.get(1));
		}
	}

}
