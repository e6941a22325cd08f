package io.deepserve.nn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import static io.deepserve.nn.Layers.convRelu;
import static io.deepserve.nn.Layers.maxPool;

/**
 * GoogLeNet as in Szegedy et al. 2014, Table 1: convolutions with bias and no batch norm, true 5x5 convolutions,
 * LRN left out. DJL's {@code GoogLeNet} lacks the auxiliary classifiers, which branch off after inception 4a and
 * 4d. A training forward returns {@code (main, aux1, aux2)} so the trainer can add the auxiliary losses (weighted
 * 0.3 in the paper); an inference forward skips the auxiliary heads and returns {@code (main)}.
 * {@link #getOutputShapes} describes the inference output.
 */
final class GoogLeNet extends AbstractBlock {

	/** The main network in order; the names are the paper's. */
	private final Map<String, Block> stages = new LinkedHashMap<>();

	/** Auxiliary heads by the stage whose output they read. */
	private final Map<String, Block> auxiliary = new LinkedHashMap<>();

	GoogLeNet(int classes) {
		this(classes, new TorchvisionNames());
	}

	/**
	 * Records the stages {@code stem}, {@code inception3} (3a, 3b and the pool after them), {@code inception4}
	 * (4a to 4e and the pool) and {@code inception5} in {@code names}, as ranges of {@link #sequence()}, and the
	 * auxiliary heads' taps at 4a and 4d.
	 */
	GoogLeNet(int classes, TorchvisionNames names) {
		stage("stem", stem());
		stage("3a", inception(64, 96, 128, 16, 32, 32));
		stage("3b", inception(128, 128, 192, 32, 96, 64));
		stage("pool3", maxPool(3, 2, 1));
		stage("4a", inception(192, 96, 208, 16, 48, 64));
		auxiliary.put("4a", addChildBlock("aux1", auxiliaryHead(classes)));
		stage("4b", inception(160, 112, 224, 24, 64, 64));
		stage("4c", inception(128, 128, 256, 24, 64, 64));
		stage("4d", inception(112, 144, 288, 32, 64, 64));
		auxiliary.put("4d", addChildBlock("aux2", auxiliaryHead(classes)));
		stage("4e", inception(256, 160, 320, 32, 128, 128));
		stage("pool4", maxPool(3, 2, 1));
		stage("5a", inception(256, 160, 320, 32, 128, 128));
		stage("5b", inception(384, 192, 384, 48, 128, 128));
		stage("head", new SequentialBlock().add(Layers.globalAvgPool())
			.add(Layers.dropout(0.4f))
			.add(Layers.linear(classes)));
		int index = 0;
		String group = null;
		for (String stage : stages.keySet()) {
			String current = stage.equals("stem") ? "stem" : stage.equals("head") ? null
					: "inception" + stage.replace("pool", "").charAt(0);
			if (current == null) {
				break;
			}
			if (!current.equals(group)) {
				names.stage(current, index);
				group = current;
			}
			if (auxiliary.containsKey(stage)) {
				names.auxiliaryTap(index);
			}
			index++;
		}
		names.endStages(index);
	}

	/**
	 * The main network as one list of layers, without the auxiliary heads: the stages, then the head's pooling,
	 * dropout and linear classifier. A transfer job builds its network from these.
	 */
	List<Block> sequence() {
		List<Block> layers = new ArrayList<>();
		for (Map.Entry<String, Block> stage : stages.entrySet()) {
			if (stage.getKey().equals("head")) {
				layers.addAll(stage.getValue().getChildren().values());
			}
			else {
				layers.add(stage.getValue());
			}
		}
		return layers;
	}

	private void stage(String name, Block block) {
		stages.put(name, addChildBlock(name, block));
	}

	/** Pools with padding 1 rather than ceil mode: the same sizes at 224, and still valid on a 1x1 map. */
	private static Block stem() {
		return new SequentialBlock().add(convRelu(64, 7, 2, 3))
			.add(maxPool(3, 2, 1))
			.add(convRelu(64, 1, 1, 0))
			.add(convRelu(192, 3, 1, 1))
			.add(maxPool(3, 2, 1));
	}

	private static Block inception(int c1, int reduce3, int c3, int reduce5, int c5, int poolProjection) {
		return Layers.concatChannels(List.of(convRelu(c1, 1, 1, 0),
				convRelu(reduce3, 1, 1, 0).add(convRelu(c3, 3, 1, 1)),
				convRelu(reduce5, 1, 1, 0).add(convRelu(c5, 5, 1, 2)),
				new SequentialBlock().add(maxPool(3, 1, 1)).add(convRelu(poolProjection, 1, 1, 0))));
	}

	/**
	 * The paper's 5x5 stride-3 average pool turns 4a's 14x14 map into 4x4 at 224 pixels. Maps under 5x5 (images
	 * under about 80 pixels) are averaged whole instead, so that small images still train.
	 */
	static Block auxiliaryHead(int classes) {
		Block pool = LambdaBlock.singleton(GoogLeNet::auxiliaryPool, "auxPool");
		return new SequentialBlock().add(pool)
			.add(convRelu(128, 1, 1, 0))
			.add(Blocks.batchFlattenBlock())
			.add(Layers.linear(1024))
			.add(Activation.reluBlock())
			.add(Layers.dropout(0.7f))
			.add(Layers.linear(classes));
	}

	private static NDArray auxiliaryPool(NDArray x) {
		Shape shape = x.getShape();
		if (shape.get(2) < 5 || shape.get(3) < 5) {
			return x.mean(new int[] { 3 }, true).mean(new int[] { 2 }, true);
		}
		return Pool.avgPool2d(x, new Shape(5, 5), new Shape(3, 3), new Shape(0, 0), false, true);
	}

	@Override
	protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs, boolean training,
			PairList<String, Object> params) {
		NDList x = inputs;
		List<NDArray> aux = new ArrayList<>(auxiliary.size());
		for (Map.Entry<String, Block> stage : stages.entrySet()) {
			x = stage.getValue().forward(parameterStore, x, training, params);
			Block head = auxiliary.get(stage.getKey());
			if (training && head != null) {
				aux.add(head.forward(parameterStore, x, true, params).singletonOrThrow());
			}
		}
		NDList outputs = new NDList(x.singletonOrThrow());
		outputs.addAll(aux);
		return outputs;
	}

	@Override
	protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
		Shape[] shapes = inputShapes;
		for (Map.Entry<String, Block> stage : stages.entrySet()) {
			stage.getValue().initialize(manager, dataType, shapes);
			shapes = stage.getValue().getOutputShapes(shapes);
			Block head = auxiliary.get(stage.getKey());
			if (head != null) {
				head.initialize(manager, dataType, shapes);
			}
		}
	}

	@Override
	public Shape[] getOutputShapes(Shape[] inputShapes) {
		Shape[] shapes = inputShapes;
		for (Block stage : stages.values()) {
			shapes = stage.getOutputShapes(shapes);
		}
		return shapes;
	}

	/** The output shape of every stage of the main network, in order. */
	Map<String, Shape> stageOutputShapes(Shape input) {
		Map<String, Shape> shapes = new LinkedHashMap<>();
		Shape[] current = { input };
		for (Map.Entry<String, Block> stage : stages.entrySet()) {
			current = stage.getValue().getOutputShapes(current);
			shapes.put(stage.getKey(), current[0]);
		}
		return shapes;
	}

	List<Block> auxiliaryHeads() {
		return List.copyOf(auxiliary.values());
	}

}
