package io.deepserve.nn;

import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;

/**
 * The torchvision state-dict name of every layer with parameters, recorded while a network is built, so that a
 * torchvision checkpoint maps onto deepserve's blocks by name rather than by position.
 */
final class TorchvisionNames {

	private final Map<Block, String> prefixes = new IdentityHashMap<>();

	private String last;

	/** Records {@code layer} as torchvision's module {@code prefix} (such as {@code layer1.0.conv1}). */
	<T extends Block> T name(String prefix, T layer) {
		prefixes.put(layer, prefix);
		last = prefix;
		return layer;
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
