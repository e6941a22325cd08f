package io.deepserve.nn;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.Pair;

/**
 * bfloat16 for a network and its inputs. DJL 0.32's own casts know no bfloat16 ({@code toType(BFLOAT16)} ends the
 * JVM in its native code), so the casts run in a small TorchScript module ({@code precision-casts.pt}, written by
 * {@code scripts/make_precision_casts.py}). A network's parameters change type in place, so the same block (built
 * here or loaded from TorchScript) runs in bfloat16 afterwards; DJL then reports their type as {@code UNKNOWN}.
 * Converting back to float32 needs no module: DJL's {@code toType(FLOAT32)} reads any type.
 */
public final class ReducedPrecision implements AutoCloseable {

	static final String MODULE = "/io/deepserve/nn/precision-casts.pt";

	/** PyTorch's {@code ScalarType} number for bfloat16. */
	private static final long BFLOAT16 = 15;

	private final NDManager manager;

	private final PtSymbolBlock casts;

	private ReducedPrecision(NDManager manager, PtSymbolBlock casts) {
		this.manager = manager;
		this.casts = casts;
	}

	/** Loads the cast module into a sub-manager of {@code parent}, which must be PyTorch's. */
	public static ReducedPrecision open(NDManager parent) {
		if (!(parent instanceof PtNDManager)) {
			throw new IllegalStateException("bfloat16 needs the PyTorch engine, not " + parent.getEngine().getEngineName());
		}
		NDManager manager = parent.newSubManager();
		try (InputStream in = ReducedPrecision.class.getResourceAsStream(MODULE)) {
			if (in == null) {
				throw new IllegalStateException(MODULE + " is missing from the classpath");
			}
			return new ReducedPrecision(manager, JniUtils.loadModule((PtNDManager) manager, in, false, false));
		}
		catch (IOException ex) {
			manager.close();
			throw new IllegalStateException("cannot read " + MODULE, ex);
		}
		catch (RuntimeException ex) {
			manager.close();
			throw ex;
		}
	}

	/**
	 * Turns the block's floating-point parameters into bfloat16, in place, and says how many changed. In a network
	 * built here that is every one of them, batch-norm statistics included (they are parameters in DJL). In a
	 * TorchScript module only the weights and biases of layers whose weight has two or more dimensions change
	 * (convolutions, linear layers, embeddings): its normalisation layers keep float32 weights, because their
	 * running statistics are buffers, out of DJL's reach, and PyTorch normalises bfloat16 inputs with float32
	 * parameters but not with a mix of both.
	 */
	public int toBfloat16(Block block) {
		List<PtNDArray> chosen = new ArrayList<>();
		Map<String, NDArray> all = new LinkedHashMap<>();
		for (Pair<String, Parameter> pair : block.getParameters()) {
			Parameter parameter = pair.getValue();
			if (parameter.isInitialized() && parameter.getArray().getDataType().isFloating()) {
				all.put(pair.getKey(), parameter.getArray());
			}
		}
		boolean torchScript = block instanceof PtSymbolBlock;
		for (Map.Entry<String, NDArray> entry : all.entrySet()) {
			if (!torchScript || ownerWeightIsAMatrix(entry.getKey(), all)) {
				chosen.add((PtNDArray) entry.getValue());
			}
		}
		if (chosen.isEmpty()) {
			return 0;
		}
		try (IValue tensors = IValue.listFrom(chosen.toArray(PtNDArray[]::new));
				IValue dtype = IValue.from(BFLOAT16);
				IValue changed = IValueUtils.runMethod(casts, "cast_", tensors, dtype)) {
			return (int) changed.toLong();
		}
	}

	private static boolean ownerWeightIsAMatrix(String name, Map<String, NDArray> all) {
		int dot = name.lastIndexOf('.');
		NDArray weight = all.get(dot < 0 ? "weight" : name.substring(0, dot) + ".weight");
		return weight != null && weight.getShape().dimension() >= 2;
	}

	/**
	 * A bfloat16 copy of {@code x}, attached to {@code x}'s manager. An ordinary tensor, usable where autograd records
	 * (DJL's {@code runMethod} would give an inference-mode one, which a forward on a thread with gradients on, the
	 * default for a new thread, refuses to save).
	 */
	public NDArray toBfloat16(NDArray x) {
		return tracked("to_bf16", x, x.getManager());
	}

	/**
	 * A bfloat16 copy of {@code x} that autograd records, so gradients reach {@code x} in its own type; attached to
	 * {@code scope}. For mixed-precision training: float32 weights cast per step.
	 */
	public NDArray toBfloat16Tracked(NDArray x, NDManager scope) {
		return tracked("to_bf16", x, scope);
	}

	/** A float32 copy of {@code x} that autograd records (bf16 logits on their way to a float32 loss). */
	public NDArray toFloat32Tracked(NDArray x, NDManager scope) {
		return tracked("to_float32", x, scope);
	}

	/**
	 * Runs one of the module's one-tensor methods as DJL runs a module's forward in training mode, where autograd
	 * records it ({@code runMethod} runs without gradients). The method is named by an input called
	 * {@code module_method:<name>}, which DJL does not pass on; {@code x} goes in as an unnamed view, since DJL reads
	 * a name with a dot as a dictionary key.
	 */
	private NDArray tracked(String method, NDArray x, NDManager scope) {
		NDArray view = x.reshape(x.getShape());
		view.attach(scope);
		NDArray name = scope.create(0f);
		name.setName("module_method:" + method);
		NDArray out = IValueUtils.forward(casts, new NDList(view, name), true).singletonOrThrow();
		out.attach(scope);
		return out;
	}

	@Override
	public void close() {
		manager.close();
	}

}
