package io.deepserve.task.vision;

import java.util.Random;

/**
 * The principal components of a dataset's RGB values (in [0, 1], as the images are after resizing), for AlexNet's
 * colour augmentation (Krizhevsky et al. 2012, section 4.1): each training image gets
 * {@code sum_i alpha_i * lambda_i * p_i} added to every pixel, {@code alpha_i} drawn once per image from
 * {@code N(0, 0.1)}, {@code p_i} and {@code lambda_i} the eigenvectors and eigenvalues of the 3x3 covariance.
 *
 * @param eigenvalues largest first
 * @param eigenvectors {@code eigenvectors[i]} is the unit vector (R, G, B) of {@code eigenvalues[i]}
 */
public record ColorPca(double[] eigenvalues, double[][] eigenvectors) {

	/** The paper's standard deviation of alpha. */
	public static final double ALPHA_STD = 0.1;

	/** The RGB shift of one image: three Gaussians drawn from {@code random}. */
	public float[] shift(Random random) {
		float[] shift = new float[3];
		for (int i = 0; i < 3; i++) {
			double weight = ALPHA_STD * random.nextGaussian() * eigenvalues[i];
			for (int c = 0; c < 3; c++) {
				shift[c] += (float) (weight * eigenvectors[i][c]);
			}
		}
		return shift;
	}

	/** The eigen decomposition of a symmetric 3x3 matrix, by Jacobi rotations. */
	public static ColorPca of(double[][] covariance) {
		double[][] a = new double[3][];
		for (int i = 0; i < 3; i++) {
			a[i] = covariance[i].clone();
		}
		double[][] v = { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };
		for (int sweep = 0; sweep < 50; sweep++) {
			double off = a[0][1] * a[0][1] + a[0][2] * a[0][2] + a[1][2] * a[1][2];
			if (off < 1e-30) {
				break;
			}
			for (int p = 0; p < 2; p++) {
				for (int q = p + 1; q < 3; q++) {
					if (a[p][q] == 0) {
						continue;
					}
					double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
					double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
					if (theta == 0) {
						t = 1;
					}
					double c = 1 / Math.sqrt(t * t + 1);
					double s = t * c;
					rotate(a, v, p, q, c, s);
				}
			}
		}
		Integer[] order = { 0, 1, 2 };
		java.util.Arrays.sort(order, (x, y) -> Double.compare(a[y][y], a[x][x]));
		double[] values = new double[3];
		double[][] vectors = new double[3][3];
		for (int i = 0; i < 3; i++) {
			values[i] = Math.max(0, a[order[i]][order[i]]);
			for (int c = 0; c < 3; c++) {
				vectors[i][c] = v[c][order[i]];
			}
		}
		return new ColorPca(values, vectors);
	}

	/** {@code A = J^T A J} and {@code V = V J} for the rotation J in the (p, q) plane. */
	private static void rotate(double[][] a, double[][] v, int p, int q, double c, double s) {
		for (int k = 0; k < 3; k++) {
			double akp = a[k][p];
			double akq = a[k][q];
			a[k][p] = c * akp - s * akq;
			a[k][q] = s * akp + c * akq;
		}
		for (int k = 0; k < 3; k++) {
			double apk = a[p][k];
			double aqk = a[q][k];
			a[p][k] = c * apk - s * aqk;
			a[q][k] = s * apk + c * aqk;
		}
		for (int k = 0; k < 3; k++) {
			double vkp = v[k][p];
			double vkq = v[k][q];
			v[k][p] = c * vkp - s * vkq;
			v[k][q] = s * vkp + c * vkq;
		}
	}

	/** Sums of RGB values and their products, pixel by pixel, for the covariance. */
	public static final class Accumulator {

		private final double[] sum = new double[3];

		private final double[][] products = new double[3][3];

		private long pixels;

		/** Adds packed {@code 0xRRGGBB} pixels. */
		public void add(int[] rgb) {
			for (int px : rgb) {
				double[] x = { ((px >> 16) & 0xff) / 255.0, ((px >> 8) & 0xff) / 255.0, (px & 0xff) / 255.0 };
				for (int i = 0; i < 3; i++) {
					sum[i] += x[i];
					for (int j = i; j < 3; j++) {
						products[i][j] += x[i] * x[j];
					}
				}
			}
			pixels += rgb.length;
		}

		public long pixels() {
			return pixels;
		}

		/** The components of the covariance of every pixel added; all zero when none was. */
		public ColorPca fit() {
			double[][] covariance = new double[3][3];
			if (pixels > 0) {
				for (int i = 0; i < 3; i++) {
					for (int j = i; j < 3; j++) {
						covariance[i][j] = products[i][j] / pixels - (sum[i] / pixels) * (sum[j] / pixels);
						covariance[j][i] = covariance[i][j];
					}
				}
			}
			return of(covariance);
		}

	}

}
