package io.deepserve.training;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;

import io.deepserve.nn.ReducedPrecision;

/**
 * Mixed-precision training's parameters: a training forward gets bf16 copies of the float32 weights and biases of
 * convolutions and linear layers, cast in a way autograd records, so their gradients reach the float32 weights,
 * which the optimizer steps. Normalisation layers' parameters and statistics stay float32 (PyTorch normalises bf16
 * inputs with float32 parameters, and updates the float32 running statistics in place). A forward that does not
 * train (validation) gets the float32 weights.
 */
final class Bf16ParameterStore extends ParameterStore {

	private final ReducedPrecision casts;

	/** Where this batch's bf16 copies go, freed with the batch. */
	private NDManager scope;

	Bf16ParameterStore(NDManager manager, ReducedPrecision casts) {
		super(manager, false);
		this.casts = casts;
	}

	/** Call before each batch's forward. */
	void scope(NDManager batchScope) {
		this.scope = batchScope;
	}

	@Override
	public NDArray getValue(Parameter parameter, Device device, boolean training) {
		NDArray value = super.getValue(parameter, device, training);
		if (value == null || !training || !(parameter.getType() == Parameter.Type.WEIGHT
				|| parameter.getType() == Parameter.Type.BIAS)) {
			return value;
		}
		return casts.toBfloat16Tracked(value, scope);
	}

}
