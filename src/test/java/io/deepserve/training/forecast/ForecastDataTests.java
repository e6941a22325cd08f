package io.deepserve.training.forecast;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.deepserve.error.DeepserveException;
import io.deepserve.task.forecast.Backtest;
import io.deepserve.task.forecast.ForecastCodec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The pure parts of forecast training: where the series is cut, what the scaler sees, how baselines score. */
class ForecastDataTests {

	@Test
	void theScalerNeverReadsARowAfterTheTrainingPart() {
		double[] values = new double[100];
		for (int i = 0; i < values.length; i++) {
			values[i] = i < 60 ? 10 + i % 3 : 1e6 * i;
		}
		double[][] columns = { values };
		Scaler scaler = Scaler.fit(columns, 60, 0, false);
		double[] changed = values.clone();
		for (int i = 60; i < changed.length; i++) {
			changed[i] = -changed[i];
		}
		Scaler same = Scaler.fit(new double[][] { changed }, 60, 0, false);
		assertThat(scaler.mean()[0]).isCloseTo(java.util.Arrays.stream(values, 0, 60).average().orElseThrow(),
				within(1e-12));
		assertThat(same.mean()).isEqualTo(scaler.mean());
		assertThat(same.std()).isEqualTo(scaler.std());
	}

	@Test
	void logReturnScalingStartsAtTheFirstReturn() {
		double[] prices = { 100, 110, 121, 133.1, 1, 1 };
		Scaler scaler = Scaler.fit(new double[][] { prices }, 4, ForecastCodec.lag(ForecastCodec.LOG_RETURNS), true);
		assertThat(scaler.mean()[0]).isCloseTo(Math.log(1.1), within(1e-12));
		assertThat(scaler.std()[0]).as("a constant column is divided by 1, not 0").isEqualTo(1);
	}

	@Test
	void everyForecastRowBelongsToExactlyOnePartInTimeOrder() {
		ChronologicalSplit split = ChronologicalSplit.of(1000, 28, 7, 0, 0.2f, 0.15f);
		assertThat(split.trainEnd()).isEqualTo(650);
		assertThat(split.validationEnd()).isEqualTo(850);
		// the last training window forecasts rows up to trainEnd - 1, the first validation one starts at trainEnd
		assertThat(split.trainTo() + 7 - 1).isEqualTo(split.trainEnd() - 1);
		assertThat(split.validationFrom()).isEqualTo(split.trainEnd());
		assertThat(split.validationTo() + 7 - 1).isEqualTo(split.validationEnd() - 1);
		assertThat(split.holdoutFrom()).isEqualTo(split.validationEnd());
		assertThat(split.holdoutTo() + 7).isEqualTo(1000);
		assertThat(split.trainFrom()).isEqualTo(28);
	}

	@Test
	void aSeriesTooShortForThreePartsIsRefused() {
		assertThatThrownBy(() -> ChronologicalSplit.of(40, 28, 7, 0, 0.2f, 0.15f)).isInstanceOf(DeepserveException.class)
			.extracting(ex -> ((DeepserveException) ex).code())
			.isEqualTo("series_too_short");
	}

	@Test
	void naiveAndSeasonalNaiveAreScoredAgainstWhatHappened() {
		double[] target = new double[40];
		for (int i = 0; i < target.length; i++) {
			target[i] = i % 4;
		}
		Backtest backtest = new Backtest(target, 20, 4);
		assertThat(backtest.naive(30, 3)).containsExactly(1, 1, 1);
		// a perfectly periodic series: seasonal naive is exact, naive is not
		assertThat(backtest.seasonalNaive(30, 6)).containsExactly(2, 3, 0, 1, 2, 3);
		List<double[]> actual = List.of(backtest.actual(30, 3));
		Map<String, Object> seasonal = backtest.score(actual, List.of(backtest.seasonalNaive(30, 3)));
		Map<String, Object> naive = backtest.score(actual, List.of(backtest.naive(30, 3)));
		assertThat((Double) seasonal.get("mae")).isZero();
		// actual 2, 3, 0 against 1, 1, 1: MAE 4/3. The 19 training steps are 15 of size 1 and 4 of size 3
		assertThat((Double) naive.get("mae")).isCloseTo(4.0 / 3, within(1e-12));
		double scale = (15 * 1 + 4 * 3) / 19.0;
		assertThat((Double) naive.get("mase")).isCloseTo(4.0 / 3 / scale, within(1e-12));
		assertThat((Double) naive.get("rmse")).isCloseTo(Math.sqrt(6.0 / 3), within(1e-12));
		assertThat((List<?>) naive.get("byHorizon")).hasSize(3);
	}

	@Test
	void autoPicksLogReturnsForPricesThatTrendChangeScaleOrWanderOnly() {
		double[] trending = new double[500];
		double[] flat = new double[500];
		double[] louder = new double[500];
		double[] walk = new double[500];
		java.util.Random random = new java.util.Random(5);
		flat[0] = 100;
		walk[0] = 100;
		for (int t = 0; t < 500; t++) {
			trending[t] = 50 * Math.exp(0.003 * t);
			if (t > 0) {
				flat[t] = 100 + 0.5 * (flat[t - 1] - 100) + random.nextGaussian(); // returns to its level
				walk[t] = walk[t - 1] * Math.exp(0.01 * random.nextGaussian());
			}
			louder[t] = 100 + (t < 250 ? 0.2 : 2) * Math.sin(t);
		}
		assertThat(AutoTransform.choose("auto", trending, 325).chosen()).isEqualTo("log-returns");
		assertThat(AutoTransform.choose("auto", flat, 325).chosen()).isEqualTo("none");
		assertThat(AutoTransform.choose("auto", louder, 325).chosen()).isEqualTo("log-returns");
		// the rows after the training part decide nothing
		assertThat(AutoTransform.choose("auto", louder, 240).chosen()).isEqualTo("none");
		// a price that goes nowhere in particular: no trend or change of scale, but no level to return to either
		AutoTransform.Choice wandering = AutoTransform.choose("auto", walk, 325);
		assertThat(wandering.chosen()).as(wandering.reason()).isEqualTo("log-returns");
		assertThat(wandering.reason()).contains("wandering like a price");
		double[] negative = flat.clone();
		negative[3] = -1;
		assertThat(AutoTransform.choose("auto", negative, 325).chosen()).isEqualTo("none");
		assertThat(AutoTransform.choose("none", trending, 325).chosen()).isEqualTo("none");
		assertThat(AutoTransform.choose("auto", trending, 325).reason()).contains("trending");
	}

	@Test
	void volatilityScaledBandsCalibratedOnACalmPartStillCoverATurbulentOne() {
		// a random walk whose steps are 10 times larger from row 3000 on; the forecast is the last value
		java.util.Random random = new java.util.Random(7);
		double[] target = new double[6000];
		for (int row = 1; row < target.length; row++) {
			target[row] = target[row - 1] + (row < 3000 ? 1 : 10) * random.nextGaussian();
		}
		int[] calm = java.util.stream.IntStream.range(100, 2000).toArray();
		int[] turbulent = java.util.stream.IntStream.range(4000, 5900).toArray();
		Bands scaled = Bands.fit(target, calm, actual(target, calm), naive(target, calm), false, 21);
		Bands unscaled = Bands.fit(target, calm, actual(target, calm), naive(target, calm), false, 1);
		Map<String, Object> coverage = scaled.coverage(target, turbulent, actual(target, turbulent),
				naive(target, turbulent));
		Map<String, Object> calmCoverage = scaled.coverage(target, calm, actual(target, calm), naive(target, calm));
		for (String level : List.of("0.8", "0.9", "0.95")) {
			double wanted = Double.parseDouble(level);
			assertThat(overall(coverage, level)).as(level).isCloseTo(wanted, within(0.04));
			assertThat(overall(calmCoverage, level)).as(level).isGreaterThanOrEqualTo(wanted - 0.01);
		}
		// without the volatility scale the bands fitted on calm rows cover a turbulent row about one time in five
		assertThat(overall(unscaled.coverage(target, turbulent, actual(target, turbulent), naive(target, turbulent)),
				"0.9")).isLessThan(0.3);
		assertThat(scaled.toMap().get("method").toString()).contains("split-conformal").contains("1900 validation");
	}

	private static double overall(Map<String, Object> coverage, String level) {
		return (Double) ((Map<?, ?>) coverage.get(level)).get("overall");
	}

	private static List<double[]> actual(double[] target, int[] ends) {
		return java.util.Arrays.stream(ends).mapToObj(end -> new double[] { target[end] }).toList();
	}

	private static List<double[]> naive(double[] target, int[] ends) {
		return java.util.Arrays.stream(ends).mapToObj(end -> new double[] { target[end - 1] }).toList();
	}

}
