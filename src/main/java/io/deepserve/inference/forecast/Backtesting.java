package io.deepserve.inference.forecast;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.stereotype.Service;

import io.deepserve.dataset.SeriesDates;
import io.deepserve.error.InvalidInputException;
import io.deepserve.inference.WorkloadManager;
import io.deepserve.registry.ModelVersion;
import io.deepserve.task.forecast.Backtest;
import io.deepserve.task.forecast.ForecastBands;
import io.deepserve.task.forecast.ForecastCodec;
import io.deepserve.task.forecast.Significance;

/**
 * A rolling-origin backtest of a version on a series it is given: from each of the last {@code origins} origins
 * (each leaving {@code horizon} rows to score), the version forecasts from the rows before it, and the forecasts are
 * scored against what followed, beside the naive and seasonal-naive forecasts from the same origins, with the
 * Diebold–Mariano test and the band coverage per level. The forecasts go through the workload manager in chunks
 * of at most half the version's queue size, so a backtest never fills the queue on its own.
 */
@Service
public class Backtesting {

	/** Most origins one request may ask for. */
	public static final int MAX_ORIGINS = 1000;

	private static final int DEFAULT_SEASON = 7;

	private final Forecaster forecaster;

	private final WorkloadManager manager;

	Backtesting(Forecaster forecaster, WorkloadManager manager) {
		this.forecaster = forecaster;
		this.manager = manager;
	}

	/** @param dates one per series value, or null */
	public BacktestResult run(String ref, List<Double> series, List<String> dates, Integer origins, Integer horizon) {
		ModelVersion version = forecaster.resolve(ref);
		ForecastCodec codec = ForecastCodec.of(version.forecast());
		if (codec.features() != 1) {
			throw new InvalidInputException("unsupported_backtest", version.ref() + " reads features "
					+ version.forecast().features() + " beside its target; the backtest takes target-only forecasters");
		}
		double[] target = values(series);
		int steps = horizon == null ? codec.horizon() : horizon;
		if (steps < 1 || steps > codec.horizon()) {
			throw new InvalidInputException("invalid_horizon", "horizon must be between 1 and " + codec.horizon()
					+ ", the steps " + version.ref() + " forecasts; it was " + steps);
		}
		if (origins == null || origins < 2 || origins > MAX_ORIGINS) {
			throw new InvalidInputException("invalid_origins", "origins must be a whole number from 2 to "
					+ MAX_ORIGINS + "; it was " + origins);
		}
		int first = target.length - steps - origins + 1;
		if (first < codec.historyNeeded() + 1) {
			throw new InvalidInputException("series_too_short", origins + " origins of horizon " + steps + " on "
					+ version.ref() + " (which reads " + codec.historyNeeded() + " values) need a series of at least "
					+ (codec.historyNeeded() + steps + origins) + " values; it has " + target.length);
		}
		List<LocalDate> parsed = dates(dates, target.length, version);
		int[] ends = new int[origins];
		for (int i = 0; i < origins; i++) {
			ends[i] = first + i;
		}
		List<double[]> model = forecast(version, target, ends, codec.historyNeeded());
		return score(version, target, ends, steps, model, parsed);
	}

	private List<double[]> forecast(ModelVersion version, double[] target, int[] ends, int history) {
		// half the queue, so that a backtest leaves room for the forecasts of others
		int chunk = Math.max(1, manager.queueSize(version) / 2);
		List<double[]> forecasts = new ArrayList<>(ends.length);
		for (int from = 0; from < ends.length; from += chunk) {
			int to = Math.min(ends.length, from + chunk);
			int start = from;
			Forecaster.Forecasts batch = forecaster.forecastMany(version.ref(), v -> {
				List<double[][]> histories = new ArrayList<>();
				for (int i = start; i < to; i++) {
					histories.add(new double[][] { Arrays.copyOfRange(target, ends[i] - history, ends[i]) });
				}
				return histories;
			});
			forecasts.addAll(batch.forecasts());
		}
		return forecasts;
	}

	private static BacktestResult score(ModelVersion version, double[] target, int[] ends, int steps,
			List<double[]> forecasts, List<LocalDate> dates) {
		Backtest backtest = new Backtest(target, ends[0], season(version));
		ForecastBands bands = version.forecast().bands() == null ? null : ForecastBands.of(version.forecast().bands());
		List<double[]> actual = new ArrayList<>();
		List<double[]> model = new ArrayList<>();
		List<double[]> naive = new ArrayList<>();
		List<double[]> seasonal = new ArrayList<>();
		List<BacktestResult.Origin> origins = new ArrayList<>();
		Map<Double, long[]> inside = new LinkedHashMap<>();
		for (int i = 0; i < ends.length; i++) {
			int end = ends[i];
			double[] a = backtest.actual(end, steps);
			double[] m = Arrays.copyOf(forecasts.get(i), steps);
			actual.add(a);
			model.add(m);
			naive.add(backtest.naive(end, steps));
			seasonal.add(backtest.seasonalNaive(end, steps));
			double[][] band = null;
			if (bands != null) {
				for (double level : bands.levels()) {
					double[][] b = bands.band(m, steps, level, target, end);
					long[] counts = inside.computeIfAbsent(level, l -> new long[steps]);
					for (int k = 0; k < steps; k++) {
						counts[k] += a[k] >= b[0][k] && a[k] <= b[1][k] ? 1 : 0;
					}
					band = level == ForecastBands.DEFAULT_LEVEL ? b : band;
				}
			}
			origins.add(new BacktestResult.Origin(end, dates == null ? null : dates.get(end).toString(), boxed(m),
					boxed(a), band == null ? null : boxed(band[0]), band == null ? null : boxed(band[1])));
		}
		Map<String, Object> metrics = new LinkedHashMap<>();
		metrics.put("model", backtest.score(actual, model));
		metrics.put("naive", backtest.score(actual, naive));
		Map<String, Object> seasonalScores = backtest.score(actual, seasonal);
		seasonalScores.put("season", backtest.season());
		metrics.put("seasonalNaive", seasonalScores);
		metrics.putAll(Significance.metrics(actual, model, naive, seasonal, 0.05));
		if (!inside.isEmpty()) {
			Map<String, Object> coverage = new LinkedHashMap<>();
			inside.forEach((level, counts) -> {
				long all = 0;
				List<Double> byHorizon = new ArrayList<>();
				for (long c : counts) {
					all += c;
					byHorizon.add((double) c / ends.length);
				}
				coverage.put(level.toString(), Map.of("overall", (double) all / ((long) ends.length * steps),
						"byHorizon", byHorizon));
			});
			metrics.put("bandCoverage", coverage);
		}
		return new BacktestResult(version.ref(), ends.length, steps, origins, metrics);
	}

	private static int season(ModelVersion version) {
		if (version.metrics() != null && version.metrics().get("backtest") instanceof Map<?, ?> backtest
				&& backtest.get("seasonalNaive") instanceof Map<?, ?> seasonal
				&& seasonal.get("season") instanceof Number season) {
			return season.intValue();
		}
		return DEFAULT_SEASON;
	}

	private static List<LocalDate> dates(List<String> dates, int rows, ModelVersion version) {
		if (dates == null) {
			return null;
		}
		if (dates.size() != rows) {
			throw new InvalidInputException("invalid_dates", "dates holds " + dates.size() + " dates for " + rows
					+ " series values; send one date per value, oldest first");
		}
		List<LocalDate> parsed = SeriesDates.parseAll(dates.stream().map(d -> d == null ? "" : d).toList());
		if (parsed == null) {
			throw new InvalidInputException("invalid_dates", "dates must be calendar dates such as 2024-01-31");
		}
		SeriesDates.Frequency frequency = version.metrics() != null
				&& version.metrics().get("dates") instanceof Map<?, ?> known
						? SeriesDates.Frequency.of((String) known.get("frequency")) : null;
		SeriesDates.check(parsed, frequency != null ? frequency : SeriesDates.infer(parsed), "dates");
		return parsed;
	}

	private static double[] values(List<Double> series) {
		if (series == null || series.isEmpty()) {
			throw new InvalidInputException("invalid_series", "series must be a JSON array of numbers, oldest first");
		}
		double[] values = new double[series.size()];
		for (int i = 0; i < values.length; i++) {
			Double value = series.get(i);
			if (value == null || !Double.isFinite(value)) {
				throw new InvalidInputException("invalid_series", "series value " + i + " is " + value
						+ "; every value must be a finite number");
			}
			values[i] = value;
		}
		return values;
	}

	private static List<Double> boxed(double[] values) {
		return Arrays.stream(values).boxed().toList();
	}

}
