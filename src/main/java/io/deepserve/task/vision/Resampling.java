package io.deepserve.task.vision;

import io.deepserve.registry.Preprocessing;

/**
 * Separable resampling of packed RGB pixels, computed as Pillow's {@code ImagingResample} computes it (the same
 * filters, bounds and 8-bit fixed-point rounding after each pass), so a model trained on torchvision's PIL
 * transforms is served the pixels it was trained on. Weights are computed once per output column and per output
 * row, and the horizontal pass runs only over the source rows the vertical pass reads.
 */
final class Resampling {

	// Pillow's precision for 8-bit images: leaves room for the sum of 255 times weights a little over 1
	private static final int PRECISION_BITS = 32 - 8 - 2;

	private final boolean cubic;

	private final boolean antialias;

	private Resampling(boolean cubic, boolean antialias) {
		this.cubic = cubic;
		this.antialias = antialias;
	}

	/** @param method one of {@link Preprocessing#RESIZE_METHODS} */
	static Resampling of(String method) {
		return switch (method) {
			case Preprocessing.BILINEAR -> new Resampling(false, false);
			case Preprocessing.ANTIALIAS -> new Resampling(false, true);
			case Preprocessing.BICUBIC -> new Resampling(true, true);
			default -> throw new IllegalArgumentException("no resize method '" + method + "'");
		};
	}

	/**
	 * Outputs {@code from} to {@code from + count} of resizing source span {@code [in0, in1)} of an axis of
	 * {@code inSize} pixels to {@code outSize} pixels: a window of the resized axis, as a crop after the resize
	 * would take it.
	 */
	Axis axis(int inSize, double in0, double in1, int outSize, int from, int count) {
		double scale = (in1 - in0) / outSize;
		// antialiasing widens the filter to cover every source pixel an output pixel stands for
		double filterScale = antialias ? Math.max(scale, 1) : 1;
		double support = (cubic ? 2 : 1) * filterScale;
		double inverse = 1 / filterScale;
		int[] first = new int[count];
		int[][] weights = new int[count][];
		double[] w = new double[(int) Math.ceil(support) * 2 + 1];
		for (int i = 0; i < count; i++) {
			double center = in0 + (from + i + 0.5) * scale;
			int min = Math.max((int) (center - support + 0.5), 0);
			int taps = Math.min((int) (center + support + 0.5), inSize) - min;
			double sum = 0;
			for (int t = 0; t < taps; t++) {
				w[t] = filter((t + min - center + 0.5) * inverse);
				sum += w[t];
			}
			int[] fixed = new int[taps];
			for (int t = 0; t < taps; t++) {
				double normalised = sum != 0 ? w[t] / sum : w[t];
				fixed[t] = (int) (normalised * (1 << PRECISION_BITS) + (normalised < 0 ? -0.5 : 0.5));
			}
			first[i] = min;
			weights[i] = fixed;
		}
		return new Axis(first, weights);
	}

	private double filter(double x) {
		double d = Math.abs(x);
		if (!cubic) {
			return d < 1 ? 1 - d : 0;
		}
		// Keys' cubic with a = -0.5, as Pillow's BICUBIC
		double a = -0.5;
		if (d < 1) {
			return ((a + 2) * d - (a + 3)) * d * d + 1;
		}
		return d < 2 ? (((d - 5) * d + 8) * d - 4) * a : 0;
	}

	/**
	 * Resamples {@code width}-wide packed RGB {@code pixels} along {@code x} and {@code y}: the horizontal pass
	 * first, rounded to 8 bits, then the vertical one. Returns {@code x.size() * y.size()} packed RGB pixels.
	 */
	static int[] resample(int[] pixels, int width, Axis x, Axis y) {
		int outWidth = x.size();
		int top = Integer.MAX_VALUE;
		int bottom = 0;
		for (int j = 0; j < y.size(); j++) {
			top = Math.min(top, y.first[j]);
			bottom = Math.max(bottom, y.first[j] + y.weights[j].length);
		}
		// without antialiasing a big downscale reads few of the rows in between: only those are resampled, as
		// reading the rest from memory would cost far more than the arithmetic
		int[] row = new int[Math.max(0, bottom - top)];
		for (int j = 0; j < y.size(); j++) {
			for (int t = 0; t < y.weights[j].length; t++) {
				row[y.first[j] + t - top] = 1;
			}
		}
		int rows = 0;
		for (int r = 0; r < row.length; r++) {
			row[r] = row[r] == 0 ? -1 : rows++;
		}
		int[] horizontal = new int[rows * outWidth];
		for (int r = 0; r < row.length; r++) {
			if (row[r] >= 0) {
				int in = (top + r) * width;
				int out = row[r] * outWidth;
				for (int i = 0; i < outWidth; i++) {
					horizontal[out + i] = weighted(pixels, in + x.first[i], 1, x.weights[i]);
				}
			}
		}
		int[] result = new int[outWidth * y.size()];
		for (int j = 0; j < y.size(); j++) {
			// a pixel's rows are consecutive in the source, so they are in the kept rows too
			int in = row[y.first[j] - top] * outWidth;
			for (int i = 0; i < outWidth; i++) {
				result[j * outWidth + i] = weighted(horizontal, in + i, outWidth, y.weights[j]);
			}
		}
		return result;
	}

	private static int weighted(int[] pixels, int start, int stride, int[] weights) {
		int r = 1 << (PRECISION_BITS - 1);
		int g = r;
		int b = r;
		for (int t = 0, p = start; t < weights.length; t++, p += stride) {
			int px = pixels[p];
			int k = weights[t];
			r += ((px >> 16) & 0xff) * k;
			g += ((px >> 8) & 0xff) * k;
			b += (px & 0xff) * k;
		}
		return clip(r) << 16 | clip(g) << 8 | clip(b);
	}

	private static int clip(int value) {
		if (value >= 1 << PRECISION_BITS << 8) {
			return 255;
		}
		return value <= 0 ? 0 : value >> PRECISION_BITS;
	}

	/** Per output pixel of one axis, its first source pixel and the fixed-point weights from there on. */
	record Axis(int[] first, int[][] weights) {

		int size() {
			return first.length;
		}

	}

}
