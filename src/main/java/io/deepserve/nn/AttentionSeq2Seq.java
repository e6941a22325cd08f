package io.deepserve.nn;

import java.util.ArrayList;
import java.util.List;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.nn.recurrent.LSTM;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * An encoder–decoder LSTM with attention over the window (Bahdanau et al. 2014, in Luong et al. 2015's
 * multiplicative form): the encoder reads the window; the decoder, started from the encoder's final state, emits
 * one step at a time, each from its own state and a softmax-weighted sum of the encoder's outputs, and reads its
 * previous forecast as its next input (the first input is the window's last target value). Takes
 * {@code (batch, window, features)}, gives {@code (batch, horizon)}.
 */
final class AttentionSeq2Seq extends AbstractBlock implements TransferableForecaster {

	private final Block encoder;

	private final Decoder decoder;

	private final int hiddenSize;

	private final int layers;

	private final float dropout;

	AttentionSeq2Seq(int hiddenSize, int layers, float dropout, int horizon) {
		this(lstm(hiddenSize, layers, dropout), new Decoder(hiddenSize, layers, dropout, horizon), hiddenSize, layers,
				dropout);
	}

	private AttentionSeq2Seq(Block encoder, Decoder decoder, int hiddenSize, int layers, float dropout) {
		this.encoder = addChildBlock("encoder", encoder);
		this.decoder = addChildBlock("decoder", decoder);
		this.hiddenSize = hiddenSize;
		this.layers = layers;
		this.dropout = dropout;
	}

	/** Gives its output sequence and its final hidden and cell states. */
	static Block lstm(int hiddenSize, int layers, float dropout) {
		return LSTM.builder()
			.setStateSize(hiddenSize)
			.setNumLayers(layers)
			.optDropRate(dropout)
			.optBatchFirst(true)
			.optReturnState(true)
			.build();
	}

	@Override
	protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs, boolean training,
			PairList<String, Object> params) {
		NDArray window = inputs.head();
		NDList encoded = encoder.forward(parameterStore, new NDList(window), training, params);
		NDArray last = window.get(":, -1:, 0:1");
		return decoder.forward(parameterStore, new NDList(encoded.get(0), encoded.get(1), encoded.get(2), last),
				training, params);
	}

	@Override
	protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
		encoder.initialize(manager, dataType, inputShapes);
		decoder.initialize(manager, dataType, decoderInputs(inputShapes[0]));
	}

	private Shape[] decoderInputs(Shape window) {
		long batch = window.get(0);
		Shape state = new Shape(layers, batch, hiddenSize);
		return new Shape[] { new Shape(batch, window.get(1), hiddenSize), state, state, new Shape(batch, 1, 1) };
	}

	@Override
	public Shape[] getOutputShapes(Shape[] inputShapes) {
		return decoder.getOutputShapes(decoderInputs(inputShapes[0]));
	}

	@Override
	public Block body() {
		return encoder;
	}

	@Override
	public Block head() {
		return decoder;
	}

	@Override
	public TransferableForecaster withHead(Block head) {
		return new AttentionSeq2Seq(encoder, (Decoder) head, hiddenSize, layers, dropout);
	}

	@Override
	public Block newHead(int horizon) {
		return new Decoder(hiddenSize, layers, dropout, horizon);
	}

	/**
	 * The decoder: an LSTM run one step at a time, attention over the encoder's outputs, and the projection of its
	 * state and context to the step's value. Takes (encoder outputs, hidden state, cell state, first input).
	 */
	static final class Decoder extends AbstractBlock {

		private final Block lstm;

		private final Block score;

		private final Block combine;

		private final Block output;

		private final int hiddenSize;

		private final int horizon;

		Decoder(int hiddenSize, int layers, float dropout, int horizon) {
			this.lstm = addChildBlock("lstm", lstm(hiddenSize, layers, dropout));
			this.score = addChildBlock("score", Linear.builder().setUnits(hiddenSize).optBias(false).build());
			this.combine = addChildBlock("combine", Layers.linear(hiddenSize));
			this.output = addChildBlock("output", Layers.linear(1));
			this.hiddenSize = hiddenSize;
			this.horizon = horizon;
		}

		@Override
		protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs, boolean training,
				PairList<String, Object> params) {
			NDArray outputs = inputs.get(0);
			NDArray hidden = inputs.get(1);
			NDArray cell = inputs.get(2);
			NDArray input = inputs.get(3);
			// (batch, window, hidden): the encoder outputs as the decoder's state is compared with them
			NDArray keys = score.forward(parameterStore, new NDList(outputs), training, params).head();
			NDArray keysT = keys.transpose(0, 2, 1);
			List<NDArray> steps = new ArrayList<>(horizon);
			for (int k = 0; k < horizon; k++) {
				NDList stepped = lstm.forward(parameterStore, new NDList(input, hidden, cell), training, params);
				NDArray state = stepped.get(0);
				hidden = stepped.get(1);
				cell = stepped.get(2);
				NDArray weights = state.matMul(keysT).softmax(2);
				NDArray context = weights.matMul(outputs);
				NDArray combined = combine.forward(parameterStore, new NDList(state.concat(context, 2)), training,
						params).head().tanh();
				input = output.forward(parameterStore, new NDList(combined), training, params).head();
				steps.add(input);
			}
			NDArray forecast = Layers.concat(new NDList(steps), 1);
			return new NDList(forecast.reshape(forecast.getShape().get(0), horizon));
		}

		@Override
		protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
			long batch = inputShapes[0].get(0);
			lstm.initialize(manager, dataType, new Shape(batch, 1, 1));
			score.initialize(manager, dataType, inputShapes[0]);
			combine.initialize(manager, dataType, new Shape(batch, 1, 2L * hiddenSize));
			output.initialize(manager, dataType, new Shape(batch, 1, hiddenSize));
		}

		@Override
		public Shape[] getOutputShapes(Shape[] inputShapes) {
			return new Shape[] { new Shape(inputShapes[0].get(0), horizon) };
		}

	}

}
