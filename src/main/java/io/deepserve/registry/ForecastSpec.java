package io.deepserve.registry;

import java.util.List;
import java.util.Map;

/**
 * What a forecaster needs besides its weights: how many past values it reads, how many it predicts, the scaler
 * fitted on its training data, and the shape of its network so that it can be rebuilt from the weights alone.
 *
 * @param scaler {@code {method: "standard", mean: [..], std: [..]}}, one entry per input column, target first
 * @param bands how the forecast's lower and upper bands are made: {@code method}, {@code scale}, and per level
 * ({@code levels}) and horizon step the conformal quantile of {@code |residual| / volatility}; older versions hold
 * per step {@code lower} and {@code upper} offsets instead (see {@code task.forecast.ForecastBands})
 */
public record ForecastSpec(Integer window, Integer horizon, String target, List<String> features,
		Map<String, Object> scaler, String targetTransform, Map<String, Object> bands, Integer hiddenSize,
		Integer layers, Float dropout) {

	public ForecastSpec(Integer window, Integer horizon, String target, List<String> features,
			Map<String, Object> scaler, String targetTransform, Map<String, Object> bands) {
		this(window, horizon, target, features, scaler, targetTransform, bands, null, null, null);
	}

}
