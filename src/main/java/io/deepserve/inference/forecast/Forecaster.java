package io.deepserve.inference.forecast;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.springframework.stereotype.Service;

import io.deepserve.error.DeepserveException;
import io.deepserve.error.InvalidInputException;
import io.deepserve.inference.Inference;
import io.deepserve.inference.WorkloadManager;
import io.deepserve.registry.ForecastSpec;
import io.deepserve.registry.ModelVersion;
import io.deepserve.task.forecast.ForecastBands;
import io.deepserve.task.forecast.ForecastCodec;
import io.deepserve.task.forecast.SeriesCodec;

/**
 * Forecasts a series with a version's own scaler and transform, through the workload manager. Every value is checked
 * here, on the request thread, before anything reaches the engine.
 */
@Service
public class Forecaster {

	private final WorkloadManager manager;

	private final Forecasting task;

	public Forecaster(WorkloadManager manager, Forecasting task) {
		this.manager = manager;
		this.task = task;
	}

	/**
	 * @param series the newest rows of the history, read for the version {@code ref} names exactly
	 * @param horizon how many steps to forecast; null for all the version was trained for
	 * @param name the series a global model forecasts, by name (its own scaler and bands); null for a
	 * single-series model's own, or a new series, which a global model scales on its window
	 */
	public Forecast forecast(String ref, SeriesTail series, Integer horizon) {
		return forecast(ref, series, horizon, null, null, null);
	}

	/**
	 * @param name the series of a global model to forecast, whose scaler and bands are used; null for a model of
	 * one target, or for a series a global model was not trained on (scaled on its own window, no bands)
	 * @param level the band's level, one of {@link ForecastBands#LEVELS}; null for {@value ForecastBands#DEFAULT_LEVEL}
	 * @param dates the request's dates, one per series row; null to continue from the version's newest date
	 */
	public Forecast forecast(String ref, SeriesTail series, Integer horizon, String name, Double level,
			DateTail dates) {
		double[][][] columns = new double[1][][];
		ForecastCodec[] codecs = new ForecastCodec[1];
		Object[] checked = new Object[1];
		double bandLevel = level != null ? level : ForecastBands.DEFAULT_LEVEL;
		Inference<float[]> result = manager.infer(ref, task, version -> {
			SeriesCodec.requireTarget(version.forecast(), name);
			columns[0] = columns(series, version);
			codecs[0] = SeriesCodec.of(version.forecast(), name, columns[0]);
			int steps = steps(horizon, version.forecast());
			requireLevel(version, SeriesCodec.bands(version.forecast(), name), bandLevel);
			checked[0] = ForecastDates.of(version, dates, series.length(), steps);
			return List.of(codecs[0].encode(columns[0], columns[0][0].length));
		});
		ModelVersion version = result.version();
		ForecastSpec spec = version.forecast();
		int steps = steps(horizon, spec);
		double[] target = columns[0][0];
		double[] forecast = codecs[0].decode(result.outputs().get(0), target[target.length - 1], steps);
		List<Double> lower = null;
		List<Double> upper = null;
		String method = null;
		Map<String, Object> seriesBands = SeriesCodec.bands(spec, name);
		if (seriesBands != null) {
			ForecastBands bands = ForecastBands.of(seriesBands);
			double[][] band = bands.band(forecast, steps, bandLevel, target, target.length);
			lower = boxed(band[0]);
			upper = boxed(band[1]);
			method = bands.method();
		}
		@SuppressWarnings("unchecked")
		List<String> forecastDates = (List<String>) checked[0];
		return new Forecast(version.ref(), boxed(forecast), lower, upper, method,
				seriesBands == null ? null : bandLevel, forecastDates, ForecastWarnings.of(version),
				new Forecast.Timings(result.queueMs(), result.preprocessMs(), result.inferenceMs()));
	}

	/** {@code 400 invalid_level} unless the bands served (null: none) were calibrated for {@code level}. */
	private static void requireLevel(ModelVersion version, Map<String, Object> served, double level) {
		if (!ForecastBands.LEVELS.contains(level)) {
			throw new InvalidInputException("invalid_level", "level must be one of " + ForecastBands.LEVELS
					+ ", not " + level);
		}
		if (served != null && !ForecastBands.of(served).offers(level)) {
			throw new InvalidInputException("invalid_level", version.ref() + " has bands for level "
					+ ForecastBands.of(served).levels() + " only (it predates calibrated "
					+ "levels); leave level out or retrain");
		}
	}

	/**
	 * Forecasts the version's full horizon for several histories at once, each queued on its own so it can share
	 * a batch with other requests (the Open Inference Protocol's way in).
	 * @param histories called with the resolved version before anything is queued: returns one history per input,
	 * as columns (target first) of exactly {@link ForecastCodec#historyNeeded()} raw rows
	 */
	public Forecasts forecastMany(String ref, Function<ModelVersion, List<double[][]>> histories) {
		List<double[][]> held = new ArrayList<>();
		List<ForecastCodec> codecs = new ArrayList<>();
		Inference<float[]> result = manager.infer(ref, task, version -> {
			List<float[]> inputs = new ArrayList<>();
			for (double[][] columns : histories.apply(version)) {
				check(columns, version, 0);
				held.add(columns);
				ForecastCodec codec = SeriesCodec.of(version.forecast(), null, columns);
				codecs.add(codec);
				inputs.add(codec.encode(columns, columns[0].length));
			}
			return inputs;
		});
		List<double[]> forecasts = new ArrayList<>();
		for (int i = 0; i < held.size(); i++) {
			double[] target = held.get(i)[0];
			ForecastCodec codec = codecs.get(i);
			forecasts.add(codec.decode(result.outputs().get(i), target[target.length - 1], codec.horizon()));
		}
		return new Forecasts(result.version(), forecasts, result);
	}

	/** Several forecasts of one version, and where the time went. */
	public record Forecasts(ModelVersion version, List<double[]> forecasts, Inference<float[]> inference) {
	}

	public ModelVersion resolve(String ref) {
		return manager.resolve(ref, task.task());
	}

	public boolean isLoaded(ModelVersion version) {
		return manager.isLoaded(version.name(), version.version());
	}

	private static int steps(Integer horizon, ForecastSpec spec) {
		if (horizon == null) {
			return spec.horizon();
		}
		if (horizon < 1 || horizon > spec.horizon()) {
			throw new InvalidInputException("invalid_horizon", "horizon must be between 1 and " + spec.horizon()
					+ ", the steps this version was trained to forecast; it was " + horizon);
		}
		return horizon;
	}

	/** The series as columns, target first, each holding finite numbers only. */
	private double[][] columns(SeriesTail series, ModelVersion version) {
		ForecastSpec spec = version.forecast();
		ForecastCodec codec = ForecastCodec.of(spec);
		int features = codec.features();
		if (series.features() != features || series.kept() > codec.historyNeeded()) {
			throw new IllegalStateException("the series was read for another version than " + version.ref());
		}
		if (series.length() < codec.historyNeeded()) {
			throw new InvalidInputException("series_too_short", version.ref() + " reads the last "
					+ codec.historyNeeded() + " values" + (codec.logReturns() ? " (its window plus one for the "
							+ "first log-return)" : "") + "; the series has " + series.length());
		}
		// only the newest rows were kept: older ones are accepted, not checked or copied
		int n = codec.historyNeeded();
		double[][] columns = new double[features][n];
		for (int i = 0; i < n; i++) {
			if (series.fault(i) != null) {
				throw invalid("series value " + series.index(i) + " is " + series.fault(i) + (features == 1 ? ""
						: "; " + version.ref() + " reads " + spec.target() + " and " + spec.features()
								+ ", so each series row must be an array of " + features + " numbers"));
			}
			double[] row = series.row(i);
			for (int c = 0; c < features; c++) {
				columns[c][i] = row[c];
			}
		}
		check(columns, version, series.index(0));
		return columns;
	}

	/** Every value finite, and with log-returns every target value above 0. */
	private static void check(double[][] columns, ModelVersion version, int offset) {
		boolean logReturns = ForecastCodec.of(version.forecast()).logReturns();
		for (double[] column : columns) {
			for (int i = 0; i < column.length; i++) {
				if (!Double.isFinite(column[i])) {
					throw invalid("series value " + (offset + i) + " is " + column[i] + "; every value must be finite");
				}
			}
		}
		if (logReturns) {
			for (int i = 0; i < columns[0].length; i++) {
				if (!(columns[0][i] > 0)) {
					throw invalid(version.ref() + " forecasts log-returns, so its target values must be above 0; "
							+ "value " + (offset + i) + " is " + columns[0][i]);
				}
			}
		}
	}

	private static DeepserveException invalid(String detail) {
		return new InvalidInputException("invalid_series", detail);
	}

	private static List<Double> boxed(double[] values) {
		return new ArrayList<>(Arrays.stream(values).boxed().toList());
	}

}
