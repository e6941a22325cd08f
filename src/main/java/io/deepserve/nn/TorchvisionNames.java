package io.deepserve.nn;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;

/**
 * The torchvision state-dict name of every layer with parameters, recorded while a network is built, so that a
 * torchvision checkpoint maps onto deepserve's blocks by name rather than by position. Also the network's named
 * {@link Stage}s and where GoogLeNet's auxiliary heads branch off, recorded where the network is built rather than
 * guessed from its structure afterwards.
 */
final class TorchvisionNames {

	private final Map<Block, String> prefixes = new IdentityHashMap<>();

	private final List<Stage> stages = new ArrayList<>();

	private final List<Integer> auxiliaryTaps = new ArrayList<>();

	private String openStage;

	private int openFrom;

	private String last;

	/** Records {@code layer} as torchvision's module {@code prefix} (such as {@code layer1.0.conv1}). */
	<T extends Block> T name(String prefix, T layer) {
		prefixes.put(layer, prefix);
		last = prefix;
		return layer;
	}

	/** Starts stage {@code name} at the next top-level layer added to {@code net}, ending the one before. */
	void stage(String name, SequentialBlock net) {
		stage(name, net.getChildren().size());
	}

	/** Starts stage {@code name} at top-level layer {@code from}, ending the one before. */
	void stage(String name, int from) {
		endStages(from);
		openStage = name;
		openFrom = from;
	}

	/** Ends the last stage after the top-level layers {@code net} has so far. */
	void endStages(SequentialBlock net) {
		endStages(net.getChildren().size());
	}

	void endStages(int to) {
		if (openStage != null) {
			stages.add(new Stage(openStage, openFrom, to));
			openStage = null;
		}
	}

	/** The stages in order; they follow one another from the first layer, and end before the classifier's pooling. */
	List<Stage> stages() {
		return List.copyOf(stages);
	}

	/** An auxiliary classifier reads the output of the top-level layer {@code net} got last. */
	void auxiliaryTap(SequentialBlock net) {
		auxiliaryTap(net.getChildren().size() - 1);
	}

	void auxiliaryTap(int layer) {
		auxiliaryTaps.add(layer);
	}

	/** Indices of the top-level layers whose outputs GoogLeNet's auxiliary classifiers read. */
	List<Integer> auxiliaryTaps() {
		return List.copyOf(auxiliaryTaps);
	}

	/** The module named last: every network names its classifier last. */
	String head() {
		return last;
	}

	/**
	 * Every parameter of {@code network} by its torchvision name, in DJL's order.
	 * @throws IllegalStateException if a layer with parameters was not named while the network was built
	 */
	Map<String, Parameter> parameters(Block network) {
		Map<String, Parameter> named = new LinkedHashMap<>();
		collect(network, named);
		return named;
	}

	private void collect(Block block, Map<String, Parameter> named) {
		for (Parameter parameter : block.getDirectParameters().values()) {
			String prefix = prefixes.get(block);
			if (prefix == null) {
				throw new IllegalStateException("no torchvision name for a " + block.getClass().getSimpleName());
			}
			if (named.put(prefix + "." + suffix(parameter), parameter) != null) {
				throw new IllegalStateException("two layers named " + prefix);
			}
		}
		for (Block child : block.getChildren().values()) {
			collect(child, named);
		}
	}

	private static String suffix(Parameter parameter) {
		return switch (parameter.getType()) {
			case WEIGHT, GAMMA -> "weight";
			case BIAS, BETA -> "bias";
			case RUNNING_MEAN -> "running_mean";
			case RUNNING_VAR -> "running_var";
			default -> throw new IllegalStateException("no torchvision name for a " + parameter.getType());
		};
	}

}
