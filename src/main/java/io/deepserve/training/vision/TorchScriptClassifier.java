package io.deepserve.training.vision;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;

import io.deepserve.error.InvalidInputException;

/**
 * Finds and cuts the classifier of a TorchScript base. DJL runs only a module's {@code forward} and can neither
 * reach a submodule nor reshape a parameter, so the classifier is cut in place: its final linear layer
 * {@code X.weight (out, in)}, {@code X.bias} becomes {@code [I; 0]} and zeros, so that the module's first
 * {@code in} outputs are that layer's inputs, the features, and the rest are zero. That needs {@code out >= in}
 * (a ResNet's 512 features under 1000 classes); a classifier narrower than its input is kept whole. The module is
 * saved with the identity in it, so the version rebuilds exactly.
 */
final class TorchScriptClassifier {

	/** The submodule names a classifier usually has, tried in this order when the user names none. */
	static final List<String> USUAL_NAMES = List.of("fc", "classifier", "head");

	/**
	 * @param linear the prefix of the final linear layer made an identity, such as {@code fc} or
	 * {@code classifier.1}; null when the module is kept whole
	 * @param width the features' width ({@code in})
	 * @param description in words, for the version's lineage
	 */
	record Cut(String submodule, String linear, Integer width, String description) {

		Set<String> fixedParameters() {
			return linear == null ? Set.of() : Set.of(linear + ".weight", linear + ".bias");
		}

	}

	private TorchScriptClassifier() {
	}

	/**
	 * What would be cut from {@code module}.
	 * @param featureOutput the user's choice of submodule, or null for the usual names
	 * @throws InvalidInputException {@code 400 unknown_feature_output} when {@code featureOutput} names no
	 * submodule ending in a linear layer; {@code 400 invalid_transfer} when it cannot be cut
	 */
	static Cut find(Block module, String featureOutput) {
		Map<String, Parameter> parameters = new java.util.LinkedHashMap<>();
		module.getParameters().forEach(pair -> parameters.put(pair.getKey(), pair.getValue()));
		for (String name : featureOutput != null ? List.of(featureOutput) : USUAL_NAMES) {
			String linear = finalLinear(parameters, name);
			if (linear == null) {
				continue;
			}
			Shape shape = parameters.get(linear + ".weight").getArray().getShape();
			long out = shape.get(0);
			long in = shape.get(1);
			if (out >= in && parameters.get(linear + ".weight").getArray().getDataType() == DataType.FLOAT32) {
				return new Cut(name, linear, (int) in, "cut: " + name + "'s final linear layer " + linear + " ("
						+ in + " -> " + out + ") passes its " + in + " input features on unchanged to the new head");
			}
			String why = name + "'s final linear layer " + linear + " maps " + in + " features to " + out
					+ (out < in ? ", fewer than it reads, so its input cannot be passed through it"
							: " in " + parameters.get(linear + ".weight").getArray().getDataType() + ", not float32");
			if (featureOutput != null) {
				throw new InvalidInputException("invalid_transfer", "featureOutput " + why);
			}
			return new Cut(null, null, null, "kept whole: " + why);
		}
		if (featureOutput != null) {
			throw new InvalidInputException("unknown_feature_output", "the TorchScript base has no submodule '"
					+ featureOutput + "' ending in a linear layer; submodules it has that do: "
					+ String.join(", ", linears(parameters)));
		}
		return new Cut(null, null, null,
				"kept whole: the module has no " + String.join(", ", USUAL_NAMES) + " submodule ending in a linear layer");
	}

	/** The prefix of the last 2-d {@code .weight} under {@code name}, or null. */
	private static String finalLinear(Map<String, Parameter> parameters, String name) {
		String found = null;
		for (Map.Entry<String, Parameter> entry : parameters.entrySet()) {
			String key = entry.getKey();
			if ((key.equals(name + ".weight") || key.startsWith(name + ".")) && key.endsWith(".weight")
					&& entry.getValue().getArray().getShape().dimension() == 2) {
				found = key.substring(0, key.length() - ".weight".length());
			}
		}
		return found;
	}

	private static List<String> linears(Map<String, Parameter> parameters) {
		List<String> names = new ArrayList<>();
		parameters.forEach((key, parameter) -> {
			if (key.endsWith(".weight") && parameter.getArray().getShape().dimension() == 2) {
				names.add(key.substring(0, key.length() - ".weight".length()));
			}
		});
		return names;
	}

	/**
	 * Makes {@code cut}'s linear layer an identity in {@code module}, then checks on one image that the outputs
	 * past the features are zero: a module that does more after its classifier (a softmax) is restored and kept
	 * whole.
	 * @return the cut made, or one that keeps the module whole
	 */
	static Cut apply(Block module, Cut cut, int imageSize) {
		if (cut.linear() == null) {
			return cut;
		}
		NDArray weight = parameter(module, cut.linear() + ".weight");
		NDArray bias = module.getParameters().contains(cut.linear() + ".bias")
				? parameter(module, cut.linear() + ".bias") : null;
		float[] weights = weight.toFloatArray();
		float[] biases = bias == null ? null : bias.toFloatArray();
		int in = cut.width();
		long out = weight.getShape().get(0);
		float[] identity = new float[weights.length];
		for (int i = 0; i < in; i++) {
			identity[i * in + i] = 1;
		}
		weight.set(identity);
		if (bias != null) {
			bias.set(new float[biases.length]);
		}
		if (passesFeaturesOn(module, weight.getDevice(), in, out, imageSize)) {
			return cut;
		}
		weight.set(weights);
		if (bias != null) {
			bias.set(biases);
		}
		return new Cut(null, null, null, "kept whole: with " + cut.linear() + " made an identity the module still "
				+ "gave nonzero outputs past its " + in + " features, so it does more after its classifier");
	}

	private static boolean passesFeaturesOn(Block module, Device device, int in, long out, int imageSize) {
		try (NDManager scratch = NDManager.newBaseManager(device)) {
			NDArray image = scratch.randomUniform(0, 1, new Shape(1, 3, imageSize, imageSize));
			NDList output = module.forward(new ParameterStore(scratch, false), new NDList(image), false);
			NDArray logits = output.head();
			if (logits.getShape().dimension() != 2 || logits.getShape().get(1) != out) {
				return false;
			}
			return out == in || logits.get(new NDIndex(":, " + in + ":")).abs().max().getFloat() == 0f;
		}
	}

	private static NDArray parameter(Block module, String name) {
		return module.getParameters().get(name).getArray();
	}

}
