package io.deepserve.inference.forecast;

import java.util.List;
import java.util.Map;

/**
 * The answer of {@code POST /api/v1/models/{ref}/backtest}.
 *
 * @param forecasts one per origin, oldest first
 * @param metrics the scores of the model, naive and seasonal-naive forecasts, the significance test and the band
 * coverage per level, as a trained version's {@code metrics.backtest} has them
 */
public record BacktestResult(String model, int origins, int horizon, List<Origin> forecasts,
		Map<String, Object> metrics) {

	/**
	 * @param row the index in the request's series of the first forecast row
	 * @param date that row's date, when the request sent dates
	 * @param lower the 90% band, when the version has bands
	 */
	public record Origin(int row, String date, List<Double> forecast, List<Double> actual, List<Double> lower,
			List<Double> upper) {
	}

}
