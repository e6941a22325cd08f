package io.deepserve.inference.forecast;

import java.util.List;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/v1/models/{ref}/backtest} with {@code {"series": [..], "dates"?: [..], "origins": 50,
 * "horizon"?: N}}: a rolling-origin backtest of the version on data it may never have seen.
 */
@RestController
@Tag(name = "inference")
class BacktestController {

	/** @param dates one per series value, oldest first */
	record BacktestRequest(List<Double> series, List<String> dates, Integer origins, Integer horizon) {
	}

	private final Backtesting backtesting;

	BacktestController(Backtesting backtesting) {
		this.backtesting = backtesting;
	}

	@PostMapping(path = "/api/v1/models/{ref}/backtest", consumes = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Backtest a forecasting model version from rolling origins over a given series")
	BacktestResult backtest(@Parameter(description = "name, name:version or name@alias") @PathVariable String ref,
			@RequestBody BacktestRequest body) {
		return backtesting.run(ref, body.series(), body.dates(), body.origins(), body.horizon());
	}

}
