package io.deepserve.training.forecast;

import io.deepserve.error.DeepserveException;
import io.deepserve.error.InvalidInputException;

/**
 * Where a series is cut, oldest first: training rows, then validation rows, then the backtest holdout. A sample is
 * named by {@code end}, the first raw row it forecasts; its input is the rows just before. A sample belongs to the
 * part its forecast rows lie in, so no training target is ever a validation or holdout row (inputs may reach back
 * into an earlier part, as they would in real use).
 *
 * @param trainEnd first raw row after the training part
 * @param validationEnd first raw row of the holdout
 * @param first the smallest {@code end} with a full window (and the row a log-return needs) behind it
 */
public record ChronologicalSplit(int rows, int trainEnd, int validationEnd, int first, int horizon) {

	/** @throws DeepserveException {@code 400 series_too_short} unless every part has at least one sample */
	public static ChronologicalSplit of(int rows, int window, int horizon, int lag, float validationSplit,
			float holdoutSplit) {
		int trainEnd = trainEnd(rows, validationSplit, holdoutSplit);
		int validationEnd = (int) Math.floor(rows * (1 - holdoutSplit));
		ChronologicalSplit split = new ChronologicalSplit(rows, trainEnd, validationEnd, window + lag, horizon);
		if (split.trainSamples() < 1 || split.validationSamples() < 1 || split.holdoutSamples() < 1) {
			throw new InvalidInputException("series_too_short", String.format(java.util.Locale.ROOT,
					"%d rows split into training rows [0, %d), validation [%d, %d) and holdout [%d, %d) leave "
							+ "%d/%d/%d samples of window %d + horizon %d; each part needs one: use a longer series, "
							+ "a shorter window or horizon, or other split fractions",
					rows, trainEnd, trainEnd, validationEnd, validationEnd, rows, Math.max(0, split.trainSamples()),
					Math.max(0, split.validationSamples()), Math.max(0, split.holdoutSamples()), window, horizon));
		}
		return split;
	}

	/** The first raw row after the training part. */
	static int trainEnd(int rows, float validationSplit, float holdoutSplit) {
		return (int) Math.floor(rows * (1 - validationSplit - holdoutSplit));
	}

	int trainFrom() {
		return first;
	}

	int trainTo() {
		return trainEnd - horizon;
	}

	int validationFrom() {
		return Math.max(first, trainEnd);
	}

	int validationTo() {
		return validationEnd - horizon;
	}

	int holdoutFrom() {
		return Math.max(first, validationEnd);
	}

	int holdoutTo() {
		return rows - horizon;
	}

	int trainSamples() {
		return trainTo() - trainFrom() + 1;
	}

	int validationSamples() {
		return validationTo() - validationFrom() + 1;
	}

	int holdoutSamples() {
		return holdoutTo() - holdoutFrom() + 1;
	}

}
