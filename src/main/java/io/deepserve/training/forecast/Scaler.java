package io.deepserve.training.forecast;

import io.deepserve.task.forecast.ForecastCodec;

/** A standard scaler per input column, fitted on the training rows only, so nothing later leaks into training. */
record Scaler(double[] mean, double[] std) {

	/**
	 * @param trainEnd the first raw row after the training part: rows from there on are never read
	 * @param lag the raw rows the target transform consumes before the first model row
	 */
	static Scaler fit(double[][] columns, int trainEnd, int lag, boolean logReturns) {
		double[] mean = new double[columns.length];
		double[] std = new double[columns.length];
		int n = trainEnd - lag;
		for (int c = 0; c < columns.length; c++) {
			double sum = 0;
			for (int row = lag; row < trainEnd; row++) {
				sum += ForecastCodec.modelValue(columns, c, row, logReturns);
			}
			mean[c] = sum / n;
			double squares = 0;
			for (int row = lag; row < trainEnd; row++) {
				double d = ForecastCodec.modelValue(columns, c, row, logReturns) - mean[c];
				squares += d * d;
			}
			double sd = Math.sqrt(squares / n);
			// a constant column carries no signal; dividing by 1 keeps it finite
			std[c] = sd > 1e-12 ? sd : 1;
		}
		return new Scaler(mean, std);
	}

}
