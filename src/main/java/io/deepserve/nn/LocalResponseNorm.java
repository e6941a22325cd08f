package io.deepserve.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Local response normalisation across channels (Krizhevsky et al. 2012, section 3.3), which DJL lacks:
 * {@code b[c] = a[c] / (k + alpha * sum(a[j]^2))^beta}, the sum over the {@code n} channels {@code j} from
 * {@code c - n/2} to {@code c + (n-1)/2} that exist. {@code alpha} multiplies the plain sum, as in the paper;
 * PyTorch's {@code nn.LocalResponseNorm} multiplies the mean of the window instead, so its {@code alpha} is
 * {@code n} times this one (5e-4 for the paper's 1e-4 at n = 5). No parameters.
 */
final class LocalResponseNorm extends AbstractBlock {

	private final int n;

	private final double k;

	private final double alpha;

	private final double beta;

	LocalResponseNorm(int n, double k, double alpha, double beta) {
		if (n < 1) {
			throw new IllegalArgumentException("the window must hold at least one channel");
		}
		this.n = n;
		this.k = k;
		this.alpha = alpha;
		this.beta = beta;
	}

	/** The paper's constants, which VGG's A-LRN reuses: k = 2, n = 5, alpha = 1e-4, beta = 0.75. */
	static LocalResponseNorm alexNet() {
		return new LocalResponseNorm(5, 2, 1e-4, 0.75);
	}

	@Override
	protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs, boolean training,
			PairList<String, Object> params) {
		NDArray a = inputs.singletonOrThrow();
		long channels = a.getShape().get(1);
		NDArray squares = a.square();
		// zero channels either side make every window n long; shifted slices add up to the window sums
		Shape before = new Shape(a.getShape().get(0), n / 2, a.getShape().get(2), a.getShape().get(3));
		Shape after = new Shape(a.getShape().get(0), (n - 1) / 2, a.getShape().get(2), a.getShape().get(3));
		NDArray padded = a.getManager()
			.zeros(before, a.getDataType(), a.getDevice())
			.concat(squares, 1)
			.concat(a.getManager().zeros(after, a.getDataType(), a.getDevice()), 1);
		NDArray sum = padded.get(new NDIndex(":, 0:{}", channels));
		for (int j = 1; j < n; j++) {
			sum = sum.add(padded.get(new NDIndex(":, {}:{}", j, j + channels)));
		}
		return new NDList(a.div(sum.mul(alpha).add(k).pow(beta)));
	}

	@Override
	public Shape[] getOutputShapes(Shape[] inputShapes) {
		return new Shape[] { inputShapes[0] };
	}

}
