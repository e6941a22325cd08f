package io.deepserve.training;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.Trainer;
import ai.djl.util.Pair;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The optimizer step for every trainable parameter of a job in one native call per learning-rate group (issue 17),
 * where DJL's {@code trainer.step()} runs several native passes per parameter tensor. The calls are the methods of a
 * small TorchScript module ({@code fused-step.pt}, written by {@code scripts/make_fused_step.py}) over lists of
 * tensors: PyTorch's {@code _fused_adam_}, {@code _fused_adamw_} and {@code _fused_sgd_}, which have CPU and CUDA
 * kernels and update parameters, moments and steps in place in one pass.
 * <p>
 * Kept from DJL's step: each gradient is clamped from above at {@code clipGrad}, frozen parameters and parameters
 * without a gradient are left alone, gradients are zeroed after the update, SGD's momentum buffer holds the
 * learning rate ({@code buf = 0.9 buf + lr (g + wd w); w -= buf}). Adam and AdamW are PyTorch's: epsilon is added to
 * {@code sqrt(v / (1 - beta2^t))}, where DJL adds it to {@code sqrt(v)}.
 * <p>
 * Its state (moments, steps, momentum buffers) lives in a manager under the trainer's, closed with this or with the
 * trainer. It steps on one device only; {@link #open} answers null (DJL's optimizer steps) for several.
 */
final class FusedOptimizer implements AutoCloseable {

	static final String MODULE = "/io/deepserve/training/fused-step.pt";

	private static final Logger log = LoggerFactory.getLogger(FusedOptimizer.class);

	private static final AtomicBoolean unavailableLogged = new AtomicBoolean();

	private static final AtomicBoolean failureLogged = new AtomicBoolean();

	private final OptimizerSettings settings;

	private final PtSymbolBlock module;

	private final NDManager state;

	private final List<Parameter> parameters;

	private final Map<String, PtNDArray[]> slots = new LinkedHashMap<>();

	private int updates;

	private boolean failed;

	private FusedOptimizer(OptimizerSettings settings, PtSymbolBlock module, NDManager state,
			List<Parameter> parameters) {
		this.settings = settings;
		this.module = module;
		this.state = state;
		this.parameters = parameters;
	}

	/**
	 * The fused step for {@code trainer}'s trainable parameters, once it is initialised; null where it cannot run
	 * (not the PyTorch engine, several devices, the module does not load), logged once per process.
	 */
	static FusedOptimizer open(Trainer trainer, OptimizerSettings settings) {
		try (InputStream module = FusedOptimizer.class.getResourceAsStream(MODULE)) {
			if (module == null) {
				unavailable("its TorchScript module " + MODULE + " is not on the class path", null);
				return null;
			}
			return open(trainer, settings, module);
		}
		catch (IOException ex) {
			unavailable("its TorchScript module could not be read", ex);
			return null;
		}
	}

	/** @param module a TorchScript archive with the methods of {@code fused-step.pt} */
	static FusedOptimizer open(Trainer trainer, OptimizerSettings settings, InputStream module) {
		if (trainer.getDevices().length != 1 || !(trainer.getManager() instanceof PtNDManager)) {
			unavailable("the trainer is not PyTorch's on one device", null);
			return null;
		}
		List<Parameter> trainable = new ArrayList<>();
		for (Pair<String, Parameter> pair : trainer.getModel().getBlock().getParameters()) {
			Parameter parameter = pair.getValue();
			if (parameter.requiresGradient() && parameter.isInitialized()) {
				trainable.add(parameter);
			}
		}
		NDManager state = trainer.getManager().newSubManager();
		try {
			PtSymbolBlock loaded = JniUtils.loadModule((PtNDManager) state, module, false, false);
			return new FusedOptimizer(settings, loaded, state, trainable);
		}
		catch (IOException | RuntimeException ex) {
			state.close();
			unavailable("its TorchScript module did not load", ex);
			return null;
		}
	}

	private static void unavailable(String why, Exception ex) {
		if (unavailableLogged.compareAndSet(false, true)) {
			log.warn("The fused optimizer step is off ({}); DJL's optimizer steps instead, one native update per "
					+ "parameter", why, ex);
		}
	}

	/**
	 * Updates every trainable parameter that has a gradient and zeroes the gradients.
	 * @return false, updating nothing, when the native call failed (now or before): the caller steps with DJL's
	 * optimizer instead, for the rest of the job
	 */
	boolean step() {
		if (failed) {
			return false;
		}
		int update = updates + 1;
		Map<Float, List<Integer>> groups = new LinkedHashMap<>();
		List<PtNDArray> weights = new ArrayList<>(parameters.size());
		List<PtNDArray> grads = new ArrayList<>(parameters.size());
		List<PtNDArray[]> states = new ArrayList<>(parameters.size());
		try {
			for (Parameter parameter : parameters) {
				PtNDArray weight = (PtNDArray) parameter.getArray();
				PtNDArray grad = JniUtils.getGradient(weight);
				if (grad == null) {
					continue; // not in this batch's graph: DJL skips it too
				}
				grads.add(grad);
				weights.add(weight);
				states.add(slots.computeIfAbsent(parameter.getId(), id -> newSlot(weight)));
				float rate = settings.rates().getNewValue(parameter.getId(), update);
				groups.computeIfAbsent(rate, r -> new ArrayList<>()).add(weights.size() - 1);
			}
			for (Map.Entry<Float, List<Integer>> group : groups.entrySet()) {
				run(group.getKey(), group.getValue(), weights, grads, states);
			}
			updates = update;
			return true;
		}
		catch (RuntimeException ex) {
			failed = true;
			if (failureLogged.compareAndSet(false, true)) {
				log.warn("The fused optimizer step failed; DJL's optimizer steps for the rest of the job", ex);
			}
			return false;
		}
		finally {
			grads.forEach(NDArray::close);
		}
	}

	/** Steps taken so far. */
	int updates() {
		return updates;
	}

	private PtNDArray[] newSlot(PtNDArray weight) {
		Device device = weight.getDevice();
		if ("sgd".equals(settings.name())) {
			return new PtNDArray[] { (PtNDArray) state.zeros(weight.getShape(), weight.getDataType(), device) };
		}
		return new PtNDArray[] { (PtNDArray) state.zeros(weight.getShape(), weight.getDataType(), device),
				(PtNDArray) state.zeros(weight.getShape(), weight.getDataType(), device),
				(PtNDArray) state.zeros(new Shape(), DataType.FLOAT32, device) };
	}

	private void run(float rate, List<Integer> members, List<PtNDArray> weights, List<PtNDArray> grads,
			List<PtNDArray[]> states) {
		boolean sgd = "sgd".equals(settings.name());
		List<IValue> inputs = new ArrayList<>();
		try {
			inputs.add(IValue.listFrom(pick(members, weights, -1, null)));
			inputs.add(IValue.listFrom(pick(members, grads, -1, null)));
			if (sgd) {
				inputs.add(IValue.listFrom(pick(members, null, 0, states)));
				inputs.add(IValue.from((double) rate));
				inputs.add(IValue.from((double) OptimizerSettings.MOMENTUM));
				inputs.add(IValue.from((double) settings.weightDecay()));
			}
			else {
				inputs.add(IValue.listFrom(pick(members, null, 0, states)));
				inputs.add(IValue.listFrom(pick(members, null, 1, states)));
				inputs.add(IValue.listFrom(pick(members, null, 2, states)));
				inputs.add(IValue.from((double) rate));
				inputs.add(IValue.from((double) OptimizerSettings.BETA1));
				inputs.add(IValue.from((double) OptimizerSettings.BETA2));
				inputs.add(IValue.from((double) settings.weightDecay()));
				inputs.add(IValue.from((double) OptimizerSettings.EPSILON));
				inputs.add(IValue.from("adamw".equals(settings.name())));
			}
			inputs.add(IValue.from((double) settings.clipGrad()));
			try (IValue result = IValueUtils.runMethod(module, sgd ? "sgd" : "adam", inputs.toArray(IValue[]::new))) {
				if (result.toLong() != members.size()) {
					throw new IllegalStateException("the fused step updated " + result.toLong() + " of "
							+ members.size() + " parameters");
				}
			}
		}
		finally {
			inputs.forEach(IValue::close);
		}
	}

	private static PtNDArray[] pick(List<Integer> members, List<PtNDArray> arrays, int slot,
			List<PtNDArray[]> states) {
		PtNDArray[] picked = new PtNDArray[members.size()];
		for (int i = 0; i < picked.length; i++) {
			int member = members.get(i);
			picked[i] = arrays != null ? arrays.get(member) : states.get(member)[slot];
		}
		return picked;
	}

	@Override
	public void close() {
		state.close();
	}

}
