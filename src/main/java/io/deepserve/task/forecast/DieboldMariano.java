package io.deepserve.task.forecast;

/**
 * The Diebold–Mariano test (1995) that one forecast is more accurate than another on the same rows, with the
 * Harvey–Leybourne–Newbold (1997) small-sample correction. Forecasts made {@code h} steps ahead from consecutive
 * origins overlap, so their loss differentials are autocorrelated up to lag {@code h - 1}: the variance of the mean
 * differential is the HAC (long-run) estimate over those lags, rectangular as in the original test, falling back to
 * Bartlett (Newey–West) weights when the rectangular sum is not positive.
 * <p>
 * One-sided: the alternative is that the first forecast's expected loss is lower. The p-value is read from Student's
 * t with {@code n - 1} degrees of freedom, as HLN recommend.
 */
public final class DieboldMariano {

	/**
	 * @param statistic the HLN-corrected statistic: negative when the first forecast's mean loss is lower; NaN when
	 * the differential has no variance (identical losses)
	 * @param pValue the one-sided p-value; 1 when the statistic is NaN
	 */
	public record Result(double statistic, double pValue, int n, double meanDifferential) {

		public boolean significant(double level) {
			return pValue < level;
		}

	}

	private DieboldMariano() {
	}

	/**
	 * @param lossFirst the first forecast's loss per origin, in time order
	 * @param lossSecond the second's, on the same origins
	 * @param h the forecast horizon in steps (1 for one-step-ahead)
	 */
	public static Result test(double[] lossFirst, double[] lossSecond, int h) {
		int n = lossFirst.length;
		if (n != lossSecond.length || h < 1) {
			throw new IllegalArgumentException("two loss series of one length and a horizon of at least 1");
		}
		if (n < 2) {
			return new Result(Double.NaN, 1, n, n == 0 ? Double.NaN : lossFirst[0] - lossSecond[0]);
		}
		double[] d = new double[n];
		double mean = 0;
		for (int t = 0; t < n; t++) {
			d[t] = lossFirst[t] - lossSecond[t];
			mean += d[t];
		}
		mean /= n;
		int lags = Math.min(h - 1, n - 1);
		double[] gamma = new double[lags + 1];
		for (int j = 0; j <= lags; j++) {
			double sum = 0;
			for (int t = j; t < n; t++) {
				sum += (d[t] - mean) * (d[t - j] - mean);
			}
			gamma[j] = sum / n;
		}
		double variance = gamma[0];
		for (int j = 1; j <= lags; j++) {
			variance += 2 * gamma[j];
		}
		if (!(variance > 0)) {
			variance = gamma[0];
			for (int j = 1; j <= lags; j++) {
				variance += 2 * (1 - (double) j / (lags + 1)) * gamma[j];
			}
		}
		if (!(variance > 1e-300) || !Double.isFinite(variance)) {
			return new Result(Double.NaN, 1, n, mean);
		}
		double dm = mean / Math.sqrt(variance / n);
		double correction = Math.sqrt((n + 1 - 2.0 * h + (double) h * (h - 1) / n) / n);
		double statistic = Double.isNaN(correction) ? dm : dm * correction;
		return new Result(statistic, studentCdf(statistic, n - 1), n, mean);
	}

	/** {@code P(T <= t)} for Student's t with {@code df} degrees of freedom. */
	static double studentCdf(double t, double df) {
		if (Double.isInfinite(t)) {
			return t > 0 ? 1 : 0;
		}
		double tail = 0.5 * regularizedBeta(df / (df + t * t), df / 2, 0.5);
		return t > 0 ? 1 - tail : tail;
	}

	/** {@code I_x(a, b)}, by the continued fraction of Numerical Recipes (Lentz's method). */
	static double regularizedBeta(double x, double a, double b) {
		if (x <= 0) {
			return 0;
		}
		if (x >= 1) {
			return 1;
		}
		double front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
		if (x < (a + 1) / (a + b + 2)) {
			return front * continuedFraction(x, a, b) / a;
		}
		return 1 - front * continuedFraction(1 - x, b, a) / b;
	}

	private static double continuedFraction(double x, double a, double b) {
		double tiny = 1e-300;
		double c = 1;
		double d = 1 - (a + b) * x / (a + 1);
		d = Math.abs(d) < tiny ? tiny : d;
		d = 1 / d;
		double f = d;
		for (int m = 1; m <= 300; m++) {
			int m2 = 2 * m;
			double numerator = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
			d = 1 + numerator * d;
			d = Math.abs(d) < tiny ? tiny : d;
			c = 1 + numerator / c;
			c = Math.abs(c) < tiny ? tiny : c;
			d = 1 / d;
			f *= d * c;
			numerator = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
			d = 1 + numerator * d;
			d = Math.abs(d) < tiny ? tiny : d;
			c = 1 + numerator / c;
			c = Math.abs(c) < tiny ? tiny : c;
			d = 1 / d;
			double step = d * c;
			f *= step;
			if (Math.abs(step - 1) < 1e-15) {
				break;
			}
		}
		return f;
	}

	/** Lanczos' approximation (g = 7, nine terms), good to about 15 digits for positive arguments. */
	static double logGamma(double x) {
		double[] c = { 0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
				-176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
				1.5056327351493116e-7 };
		if (x < 0.5) {
			return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
		}
		x -= 1;
		double sum = c[0];
		for (int i = 1; i < 9; i++) {
			sum += c[i] / (x + i);
		}
		double t = x + 7.5;
		return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(sum);
	}

}
