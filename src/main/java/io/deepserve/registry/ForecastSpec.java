package io.deepserve.registry;

import java.util.List;
import java.util.Map;

/**
 * What a forecaster needs besides its weights: how many past values it reads, how many it predicts, and the scaler
 * fitted on its training data.
 */
public record ForecastSpec(Integer window, Integer horizon, String target, List<String> features,
		Map<String, Object> scaler, String targetTransform, Map<String, Object> bands) {
}
