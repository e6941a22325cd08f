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
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The Transformer's encoder over the window (Vaswani et al. 2017): each row projected to {@code hiddenSize}
 * dimensions, sinusoidal positions added, {@code layers} encoder layers, and a linear head that predicts every
 * horizon step at once from the last position. Takes {@code (batch, window, features)}, gives
 * {@code (batch, horizon)}; no parameter depends on the window, so one network reads windows of any length.
 */
final class TransformerForecaster extends AbstractBlock implements TransferableForecaster {

	private final Block body;

	private final Block head;

	TransformerForecaster(int modelSize, int layers, float dropout, int horizon) {
		this(body(modelSize, layers, dropout), Layers.linear(horizon));
	}

	private TransformerForecaster(Block body, Block head) {
		this.body = addChildBlock("encoder", body);
		this.head = addChildBlock("head", head);
	}

	/** As many heads as divide the model size, up to four: 64 dimensions are four heads of 16. */
	static int heads(int modelSize) {
		return modelSize % 4 == 0 ? 4 : modelSize % 2 == 0 ? 2 : 1;
	}

	private static Block body(int modelSize, int layers, float dropout) {
		SequentialBlock body = new SequentialBlock();
		body.add(Layers.linear(modelSize));
		body.add(new PositionalEncoding());
		for (int i = 0; i < layers; i++) {
			body.add(new EncoderLayer(modelSize, heads(modelSize), 4 * modelSize, dropout));
		}
		return body;
	}

	@Override
	protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs, boolean training,
			PairList<String, Object> params) {
		NDArray encoded = body.forward(parameterStore, inputs, training, params).head();
		return head.forward(parameterStore, new NDList(encoded.get(":, -1, :")), training, params);
	}

	@Override
	protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
		body.initialize(manager, dataType, inputShapes);
		head.initialize(manager, dataType, lastStep(inputShapes));
	}

	@Override
	public Shape[] getOutputShapes(Shape[] inputShapes) {
		return head.getOutputShapes(new Shape[] { lastStep(inputShapes) });
	}

	private Shape lastStep(Shape[] inputShapes) {
		Shape sequence = body.getOutputShapes(inputShapes)[0];
		return new Shape(sequence.get(0), sequence.get(2));
	}

	@Override
	public Block body() {
		return body;
	}

	@Override
	public Block head() {
		return head;
	}

	@Override
	public TransferableForecaster withHead(Block newHead) {
		return new TransformerForecaster(body, newHead);
	}

	/** Adds the paper's sines and cosines of the position to {@code (batch, window, size)}; no parameters. */
	static final class PositionalEncoding extends AbstractBlock {

		@Override
		protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs, boolean training,
				PairList<String, Object> params) {
			NDArray x = inputs.head();
			int window = (int) x.getShape().get(1);
			int size = (int) x.getShape().get(2);
			NDArray encoding = x.getManager().create(table(window, size), new Shape(1, window, size))
				.toDevice(x.getDevice(), false);
			return new NDList(x.add(encoding));
		}

		static float[] table(int window, int size) {
			float[] table = new float[window * size];
			for (int position = 0; position < window; position++) {
				for (int i = 0; i < size; i++) {
					double angle = position / Math.pow(10_000, (2 * (i / 2)) / (double) size);
					table[position * size + i] = (float) (i % 2 == 0 ? Math.sin(angle) : Math.cos(angle));
				}
			}
			return table;
		}

		@Override
		public Shape[] getOutputShapes(Shape[] inputShapes) {
			return new Shape[] { inputShapes[0] };
		}

	}

	/**
	 * One encoder layer as in the paper (post-norm): multi-head self-attention and a two-layer ReLU network, each
	 * added back to its input and layer-normalised.
	 */
	static final class EncoderLayer extends AbstractBlock {

		private final Block attention;

		private final Block attentionNorm;

		private final Block feedForward;

		private final Block outputNorm;

		private final Block dropout;

		EncoderLayer(int modelSize, int heads, int feedForwardSize, float dropout) {
			this.attention = addChildBlock("attention", ai.djl.nn.transformer.ScaledDotProductAttentionBlock.builder()
				.setEmbeddingSize(modelSize)
				.setHeadCount(heads)
				.optAttentionProbsDropoutProb(dropout)
				.build());
			this.attentionNorm = addChildBlock("attentionNorm", ai.djl.nn.norm.LayerNorm.builder().axis(2).build());
			SequentialBlock feedForward = new SequentialBlock();
			feedForward.add(Layers.linear(feedForwardSize));
			feedForward.add(ai.djl.nn.Activation.reluBlock());
			feedForward.add(Layers.linear(modelSize));
			this.feedForward = addChildBlock("feedForward", feedForward);
			this.outputNorm = addChildBlock("outputNorm", ai.djl.nn.norm.LayerNorm.builder().axis(2).build());
			this.dropout = addChildBlock("dropout", Layers.dropout(dropout));
		}

		@Override
		protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs, boolean training,
				PairList<String, Object> params) {
			NDArray x = inputs.head();
			NDArray attended = attention.forward(parameterStore, new NDList(x), training, params).head();
			attended = dropout.forward(parameterStore, new NDList(attended), training, params).head();
			x = attentionNorm.forward(parameterStore, new NDList(x.add(attended)), training, params).head();
			NDArray fed = feedForward.forward(parameterStore, new NDList(x), training, params).head();
			fed = dropout.forward(parameterStore, new NDList(fed), training, params).head();
			return outputNorm.forward(parameterStore, new NDList(x.add(fed)), training, params);
		}

		@Override
		protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
			List<Block> children = new ArrayList<>(List.of(attention, attentionNorm, feedForward, outputNorm,
					dropout));
			for (Block child : children) {
				child.initialize(manager, dataType, inputShapes);
			}
		}

		@Override
		public Shape[] getOutputShapes(Shape[] inputShapes) {
			return new Shape[] { inputShapes[0] };
		}

	}

}
