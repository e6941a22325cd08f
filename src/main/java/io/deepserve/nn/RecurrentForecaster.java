package io.deepserve.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.recurrent.GRU;
import ai.djl.nn.recurrent.LSTM;
import ai.djl.nn.recurrent.RNN;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A stacked recurrent network read at its last time step by a linear head that predicts all {@code horizon}
 * steps at once (direct multi-output, so errors do not compound as they would feeding predictions back). Takes
 * {@code (batch, window, features)} and gives {@code (batch, horizon)}.
 */
final class RecurrentForecaster extends AbstractBlock implements TransferableForecaster {

	enum Cell {

		LSTM, GRU, RNN

	}

	private final Block recurrent;

	private final Block head;

	RecurrentForecaster(Cell cell, int hiddenSize, int layers, float dropout, int horizon) {
		this(recurrent(cell, hiddenSize, layers, dropout), Layers.linear(horizon));
	}

	private RecurrentForecaster(Block recurrent, Block head) {
		this.recurrent = addChildBlock("recurrent", recurrent);
		this.head = addChildBlock("head", head);
	}

	@Override
	public Block body() {
		return recurrent;
	}

	@Override
	public Block head() {
		return head;
	}

	@Override
	public TransferableForecaster withHead(Block newHead) {
		return new RecurrentForecaster(recurrent, newHead);
	}

	/** Batch first, so the input is (batch, window, features) as the data pipeline stacks it. */
	private static Block recurrent(Cell cell, int hiddenSize, int layers, float dropout) {
		return switch (cell) {
			case LSTM -> LSTM.builder()
				.setStateSize(hiddenSize)
				.setNumLayers(layers)
				.optDropRate(dropout)
				.optBatchFirst(true)
				.build();
			case GRU -> GRU.builder()
				.setStateSize(hiddenSize)
				.setNumLayers(layers)
				.optDropRate(dropout)
				.optBatchFirst(true)
				.build();
			case RNN -> RNN.builder()
				.setStateSize(hiddenSize)
				.setNumLayers(layers)
				.optDropRate(dropout)
				.optBatchFirst(true)
				.setActivation(RNN.Activation.TANH)
				.build();
		};
	}

	@Override
	protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs, boolean training,
			PairList<String, Object> params) {
		NDArray sequence = recurrent.forward(parameterStore, inputs, training, params).head();
		NDArray last = sequence.get(":, -1, :");
		return head.forward(parameterStore, new NDList(last), training, params);
	}

	@Override
	protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
		recurrent.initialize(manager, dataType, inputShapes);
		head.initialize(manager, dataType, lastStep(inputShapes));
	}

	@Override
	public Shape[] getOutputShapes(Shape[] inputShapes) {
		return head.getOutputShapes(new Shape[] { lastStep(inputShapes) });
	}

	private Shape lastStep(Shape[] inputShapes) {
		Shape sequence = recurrent.getOutputShapes(inputShapes)[0];
		return new Shape(sequence.get(0), sequence.get(2));
	}

}
