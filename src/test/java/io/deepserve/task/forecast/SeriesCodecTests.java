package io.deepserve.task.forecast;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.deepserve.error.DeepserveException;
import io.deepserve.registry.ForecastSpec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Which scaler reads a series: a global model's per-series ones by name, or the window's own for a new series. */
class SeriesCodecTests {

	@Test
	void aNamedSeriesIsReadWithItsOwnScaler() {
		ForecastSpec spec = global("none");
		double[][] history = { { 1, 2, 3, 4 } };
		ForecastCodec a = SeriesCodec.of(spec, "a", history);
		ForecastCodec b = SeriesCodec.of(spec, "b", history);
		assertThat(a.mean(0)).isEqualTo(10);
		assertThat(b.mean(0)).isEqualTo(1000);
		assertThat(b.std(0)).isEqualTo(50);
		assertThat(SeriesCodec.bands(spec, "b")).containsEntry("method", "b's");
		assertThat(SeriesCodec.bands(spec, null)).isNull();
	}

	@Test
	void aNewSeriesIsScaledOnItsOwnWindowSoItsUnitsDoNotMatter() {
		ForecastSpec spec = global("none");
		double[][] small = { { 7, 1, 2, 3, 5 } };
		double[][] large = { { 7000, 1000, 2000, 3000, 5000 } };
		ForecastCodec codec = SeriesCodec.of(spec, null, small);
		// the window is the last 4 rows: the first value is not read
		assertThat(codec.mean(0)).isCloseTo(2.75, within(1e-12));
		assertThat(codec.encode(small, 5)).containsExactly(SeriesCodec.of(spec, null, large).encode(large, 5));
		float[] output = { 0.5f, -1f };
		double[] forecast = codec.decode(output, 5, 2);
		double[] scaled = SeriesCodec.of(spec, null, large).decode(output, 5000, 2);
		assertThat(scaled[0]).isCloseTo(1000 * forecast[0], within(1e-9));
		assertThat(scaled[1]).isCloseTo(1000 * forecast[1], within(1e-9));
	}

	@Test
	void withLogReturnsTheWindowsReturnsAreScaled() {
		ForecastSpec spec = global(ForecastCodec.LOG_RETURNS);
		double[][] prices = { { 100, 110, 121, 133.1, 146.41 } };
		ForecastCodec codec = SeriesCodec.of(spec, null, prices);
		assertThat(codec.mean(0)).isCloseTo(Math.log(1.1), within(1e-12));
		assertThat(codec.std(0)).as("constant returns are divided by 1").isEqualTo(1);
	}

	@Test
	void aNameTheVersionWasNotTrainedOnIsRefused() {
		assertThatThrownBy(() -> SeriesCodec.requireTarget(global("none"), "zzz"))
			.isInstanceOfSatisfying(DeepserveException.class, ex -> assertThat(ex.code()).isEqualTo("unknown_target"));
		ForecastSpec single = new ForecastSpec(4, 2, "Close", null, null, "none", null);
		SeriesCodec.requireTarget(single, "Close");
		assertThatThrownBy(() -> SeriesCodec.requireTarget(single, "Open"))
			.isInstanceOfSatisfying(DeepserveException.class, ex -> assertThat(ex.code()).isEqualTo("unknown_target"));
	}

	private static ForecastSpec global(String transform) {
		Map<String, Map<String, Object>> series = new LinkedHashMap<>();
		series.put("a", Map.of("scaler", ForecastCodec.scaler(new double[] { 10 }, new double[] { 2 })));
		series.put("b", Map.of("scaler", ForecastCodec.scaler(new double[] { 1000 }, new double[] { 50 }), "bands",
				Map.of("method", "b's")));
		return new ForecastSpec(4, 2, null, List.of(), null, transform, null, 8, 1, 0f, series);
	}

}
