package io.deepserve.task.vision;

import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** AlexNet's colour components: the eigen decomposition, the covariance of pixels, and the shift's statistics. */
class ColorPcaTests {

	/** A rotation's columns as eigenvectors with eigenvalues 0.05, 0.01, 0.002: C = R diag(lambda) R^T. */
	private static final double[][] R = rotation();

	private static final double[] LAMBDA = { 0.05, 0.01, 0.002 };

	@Test
	void decomposesAKnownCovariance() {
		double[][] covariance = new double[3][3];
		for (int i = 0; i < 3; i++) {
			for (int j = 0; j < 3; j++) {
				for (int k = 0; k < 3; k++) {
					covariance[i][j] += R[i][k] * LAMBDA[k] * R[j][k];
				}
			}
		}

		ColorPca pca = ColorPca.of(covariance);

		for (int k = 0; k < 3; k++) {
			assertThat(pca.eigenvalues()[k]).as("eigenvalue %d", k).isCloseTo(LAMBDA[k], within(1e-12));
			double dot = 0;
			double norm = 0;
			for (int c = 0; c < 3; c++) {
				dot += pca.eigenvectors()[k][c] * R[c][k];
				norm += pca.eigenvectors()[k][c] * pca.eigenvectors()[k][c];
			}
			assertThat(Math.abs(dot)).as("eigenvector %d along the rotation's column, up to sign", k)
				.isCloseTo(1, within(1e-9));
			assertThat(norm).isCloseTo(1, within(1e-9));
		}
	}

	@Test
	void aDiagonalCovarianceIsItsOwnDecompositionLargestFirst() {
		ColorPca pca = ColorPca.of(new double[][] { { 0.01, 0, 0 }, { 0, 0.04, 0 }, { 0, 0, 0.02 } });

		assertThat(pca.eigenvalues()).containsExactly(new double[] { 0.04, 0.02, 0.01 }, within(1e-15));
		assertThat(Math.abs(pca.eigenvectors()[0][1])).isEqualTo(1.0);
		assertThat(Math.abs(pca.eigenvectors()[1][2])).isEqualTo(1.0);
		assertThat(Math.abs(pca.eigenvectors()[2][0])).isEqualTo(1.0);
	}

	/** Half the pixels grey 0, half grey 255/255: all variance (0.25 per channel) along (1, 1, 1) / sqrt 3. */
	@Test
	void theCovarianceIsThePixels() {
		ColorPca.Accumulator pixels = new ColorPca.Accumulator();
		pixels.add(new int[] { 0x000000, 0xffffff, 0x000000, 0xffffff });

		ColorPca pca = pixels.fit();

		assertThat(pixels.pixels()).isEqualTo(4);
		assertThat(pca.eigenvalues()[0]).isCloseTo(3 * 0.25, within(1e-12));
		assertThat(pca.eigenvalues()[1]).isCloseTo(0, within(1e-12));
		for (int c = 0; c < 3; c++) {
			assertThat(Math.abs(pca.eigenvectors()[0][c])).isCloseTo(1 / Math.sqrt(3), within(1e-9));
		}
	}

	/** Along each component the shift is alpha * lambda with alpha ~ N(0, 0.1): mean 0, spread 0.1 * lambda. */
	@Test
	void theShiftAlongEachComponentHasThePapersSpread() {
		ColorPca pca = new ColorPca(LAMBDA, transpose(R));
		Random random = new Random(3);
		int draws = 40_000;
		double[] sum = new double[3];
		double[] squares = new double[3];
		double cross = 0;
		for (int n = 0; n < draws; n++) {
			float[] shift = pca.shift(random);
			double[] along = new double[3];
			for (int k = 0; k < 3; k++) {
				for (int c = 0; c < 3; c++) {
					along[k] += shift[c] * R[c][k];
				}
				sum[k] += along[k];
				squares[k] += along[k] * along[k];
			}
			cross += along[0] * along[1];
		}
		for (int k = 0; k < 3; k++) {
			double mean = sum[k] / draws;
			double std = Math.sqrt(squares[k] / draws - mean * mean);
			assertThat(mean).as("mean along %d", k).isCloseTo(0, within(0.03 * 0.1 * LAMBDA[k]));
			assertThat(std).as("spread along %d", k).isCloseTo(0.1 * LAMBDA[k], within(0.02 * 0.1 * LAMBDA[k]));
		}
		assertThat(cross / draws).as("independent per component")
			.isCloseTo(0, within(0.03 * 0.01 * LAMBDA[0] * LAMBDA[1]));
	}

	private static double[][] rotation() {
		// about (1, 2, 2) / 3 by 0.7 radians, a rotation with no zero entries
		double[] u = { 1 / 3.0, 2 / 3.0, 2 / 3.0 };
		double c = Math.cos(0.7);
		double s = Math.sin(0.7);
		double[][] r = new double[3][3];
		double[][] cross = { { 0, -u[2], u[1] }, { u[2], 0, -u[0] }, { -u[1], u[0], 0 } };
		for (int i = 0; i < 3; i++) {
			for (int j = 0; j < 3; j++) {
				r[i][j] = (i == j ? c : 0) + s * cross[i][j] + (1 - c) * u[i] * u[j];
			}
		}
		return r;
	}

	private static double[][] transpose(double[][] m) {
		double[][] t = new double[3][3];
		for (int i = 0; i < 3; i++) {
			for (int j = 0; j < 3; j++) {
				t[i][j] = m[j][i];
			}
		}
		return t;
	}

}
