package io.deepserve.inference.vision;

/** Class scores as probabilities. */
final class Probabilities {

	private static final double TOLERANCE = 1e-3;

	private Probabilities() {
	}

	/**
	 * A softmax of the row, unless the model already ends in one (all scores in [0, 1], summing to 1): deepserve's
	 * own classifiers answer logits, while imported TorchScript models may do either.
	 */
	static float[] of(float[] scores) {
		double sum = 0;
		boolean probabilities = true;
		for (float s : scores) {
			probabilities &= s >= 0 && s <= 1;
			sum += s;
		}
		if (probabilities && Math.abs(sum - 1) < TOLERANCE) {
			return scores;
		}
		double max = Double.NEGATIVE_INFINITY;
		for (float s : scores) {
			max = Math.max(max, s);
		}
		double total = 0;
		double[] exp = new double[scores.length];
		for (int i = 0; i < scores.length; i++) {
			exp[i] = Math.exp(scores[i] - max);
			total += exp[i];
		}
		float[] out = new float[scores.length];
		for (int i = 0; i < scores.length; i++) {
			out[i] = (float) (exp[i] / total);
		}
		return out;
	}

}
