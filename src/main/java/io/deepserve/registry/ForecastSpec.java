package io.deepserve.registry;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonCreator;

/**
 * What a forecaster needs besides its weights: how many past values it reads, how many it predicts, the scaler
 * fitted on its training data, and the shape of its network so that it can be rebuilt from the weights alone.
 *
 * @param scaler {@code {method: "standard", mean: [..], std: [..]}}, one entry per input column, target first
 * @param bands how the forecast's lower and upper bands are made: {@code method}, {@code scale}, and per level
 * ({@code levels}) and horizon step the conformal quantile of {@code |residual| / volatility}; older versions hold
 * per step {@code lower} and {@code upper} offsets instead (see {@code task.forecast.ForecastBands})
 * @param series a global model's series, by column name, in training order: each one's own {@code scaler} and
 * {@code bands}, which {@code /forecast} uses when asked for that series by name. A global model has no top-level
 * {@code target}, {@code scaler} or {@code bands}: a series it was not trained on is scaled on its own window
 */
public record ForecastSpec(Integer window, Integer horizon, String target, List<String> features,
		Map<String, Object> scaler, String targetTransform, Map<String, Object> bands, Integer hiddenSize,
		Integer layers, Float dropout, Map<String, Map<String, Object>> series) {

	/** The constructor JSON binds to, named so Jackson never picks a shorter one below. */
	@JsonCreator
	public ForecastSpec {
	}

	public ForecastSpec(Integer window, Integer horizon, String target, List<String> features,
			Map<String, Object> scaler, String targetTransform, Map<String, Object> bands, Integer hiddenSize,
			Integer layers, Float dropout) {
		this(window, horizon, target, features, scaler, targetTransform, bands, hiddenSize, layers, dropout, null);
	}

	public ForecastSpec(Integer window, Integer horizon, String target, List<String> features,
			Map<String, Object> scaler, String targetTransform, Map<String, Object> bands) {
		this(window, horizon, target, features, scaler, targetTransform, bands, null, null, null, null);
	}

	/** A global model: one network over several series, each with its own scaler. */
	public boolean global() {
		return series != null;
	}

}
