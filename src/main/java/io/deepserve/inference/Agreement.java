package io.deepserve.inference;

/**
 * How a version served at a reduced precision compared with fp32 when it loaded, on the same held-out images:
 * measured on this replica, before it took traffic.
 *
 * @param precision the precision served, e.g. {@code bf16}
 * @param dataset the dataset the images came from
 * @param images how many images were compared
 * @param top1Agreement the fraction of images whose most probable class was the same in both
 * @param maxAbsDelta the largest difference of any class probability on any image
 * @param minAgreement the threshold the version had to reach ({@code serving.minAgreement})
 * @param fp32MillisPerImage the float32 network's time per image over the sample, batches of up to 8
 * @param reducedMillisPerImage the same at the reduced precision
 */
public record Agreement(String precision, String dataset, int images, double top1Agreement, double maxAbsDelta,
		double minAgreement, double fp32MillisPerImage, double reducedMillisPerImage) {

	/** Compares probabilities image by image; both lists are in the same order. */
	static Agreement of(String precision, String dataset, double minAgreement, java.util.List<float[]> fp32,
			java.util.List<float[]> reduced, double fp32MillisPerImage, double reducedMillisPerImage) {
		int same = 0;
		double maxAbsDelta = 0;
		for (int i = 0; i < fp32.size(); i++) {
			float[] p = fp32.get(i);
			float[] q = reduced.get(i);
			int top = argmax(p);
			if (top >= 0 && top == argmax(q)) {
				same++;
			}
			for (int k = 0; k < p.length; k++) {
				// Math.max keeps a NaN, so one NaN output shows in the result instead of reading as agreement
				maxAbsDelta = Math.max(maxAbsDelta, Math.abs(p[k] - q[k]));
			}
		}
		double top1 = fp32.isEmpty() ? 0 : (double) same / fp32.size();
		return new Agreement(precision, dataset, fp32.size(), top1, maxAbsDelta, minAgreement, fp32MillisPerImage,
				reducedMillisPerImage);
	}

	/** The most probable class; -1 when any probability is NaN, so a NaN output never agrees. */
	static int argmax(float[] p) {
		int best = 0;
		for (int k = 0; k < p.length; k++) {
			if (Float.isNaN(p[k])) {
				return -1;
			}
			if (p[k] > p[best]) {
				best = k;
			}
		}
		return best;
	}

	/** Fewer images agree, or the same number with a larger (or NaN) difference. */
	boolean worseThan(Agreement other) {
		if (top1Agreement != other.top1Agreement) {
			return top1Agreement < other.top1Agreement;
		}
		return Double.isNaN(maxAbsDelta) || maxAbsDelta > other.maxAbsDelta;
	}

	public boolean passes() {
		return top1Agreement >= minAgreement && !Double.isNaN(maxAbsDelta);
	}

}
