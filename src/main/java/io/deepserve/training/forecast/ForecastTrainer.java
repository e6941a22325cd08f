package io.deepserve.training.forecast;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import io.deepserve.config.DeepserveProperties;
import io.deepserve.dataset.SeriesTable;
import io.deepserve.nn.Architectures;
import io.deepserve.nn.ForecasterTransfer;
import io.deepserve.registry.ForecastSpec;
import io.deepserve.task.forecast.Backtest;
import io.deepserve.task.forecast.ForecastCodec;
import io.deepserve.task.forecast.Significance;
import io.deepserve.training.Hyperparameters;
import io.deepserve.training.JobListener;
import io.deepserve.training.OptimizerSettings;
import io.deepserve.training.TrainingJob.EpochResult;
import io.deepserve.training.TrainingLoop.Batch;
import io.deepserve.training.TrainingLoop.Validation;
import io.deepserve.training.TrainingLoop;

/**
 * Trains a recurrent forecaster in the {@link TrainingLoop}, keeps the epoch with the lowest validation loss, and
 * backtests that epoch on the holdout against the naive baselines. Time order is kept everywhere but inside the
 * training part, whose windows are shuffled each epoch.
 */
@Component
public class ForecastTrainer {

	public static final String MODEL_NAME = "model";

	/**
	 * @param modelDir the best epoch's saved parameters ({@code model-0000.params})
	 * @param metrics the best epoch, the split, and the backtest with {@code beatsNaive}
	 * @param holdout the holdout's actual values and the model's forecasts of them, one row per window; null for a
	 * global model (each series has its own)
	 */
	public record Result(Path modelDir, ForecastSpec spec, List<Long> inputShape, Map<String, Object> metrics,
			Holdout holdout) {

		Result(Path modelDir, ForecastSpec spec, List<Long> inputShape, Map<String, Object> metrics) {
			this(modelDir, spec, inputShape, metrics, null);
		}

	}

	/** What a single-series model forecast for its holdout windows, to compare two models on the same rows. */
	public record Holdout(List<double[]> actual, List<double[]> forecasts) {
	}

	/** Windows and their scaled targets, each named by the first raw row it forecasts. */
	record Samples(int[] ends, float[] inputs, float[] targets) {

		int size() {
			return ends.length;
		}

	}

	private final Architectures architectures;

	private final boolean fusedOptimizer;

	public ForecastTrainer(Architectures architectures) {
		this(architectures, true);
	}

	/** @param fusedOptimizer see {@link OptimizerSettings#fused()} */
	public ForecastTrainer(Architectures architectures, boolean fusedOptimizer) {
		this.architectures = architectures;
		this.fusedOptimizer = fusedOptimizer;
	}

	@Autowired
	public ForecastTrainer(Architectures architectures, DeepserveProperties properties) {
		this(architectures, properties.training().fusedOptimizer());
	}

	public Result train(String architecture, Hyperparameters hp, SeriesTable table, String target, Device device,
			Path workDir, JobListener listener) throws IOException {
		return train(architecture, hp, table, target, device, workDir, listener, null);
	}

	/** @param base the forecaster to start from; null to train from scratch */
	Result train(String architecture, Hyperparameters hp, SeriesTable table, String target, Device device,
			Path workDir, JobListener listener, ForecastBase base) throws IOException {
		double[][] columns = inputColumns(hp, table, target);
		boolean logReturns = ForecastCodec.LOG_RETURNS.equals(hp.targetTransform());
		int lag = ForecastCodec.lag(hp.targetTransform());
		int window = hp.window();
		int horizon = hp.horizon();
		int features = columns.length;
		ChronologicalSplit split = ChronologicalSplit.of(table.rows(), window, horizon, lag, hp.validationSplit(),
				hp.holdoutSplit());
		Scaler scaler = Scaler.fit(columns, split.trainEnd(), lag, logReturns);
		ForecastCodec codec = new ForecastCodec(window, horizon, hp.targetTransform(), scaler.mean(), scaler.std());
		Samples train = samples(columns, codec, split.trainFrom(), split.trainTo(), logReturns);
		Samples validation = samples(columns, codec, split.validationFrom(), split.validationTo(), logReturns);
		Samples holdout = samples(columns, codec, split.holdoutFrom(), split.holdoutTo(), logReturns);
		Fit fit = fit(architecture, hp, features, train, validation, holdout, device, workDir, listener, base);
		return result(fit.dir(), hp, target, columns[0], table, split, codec, scaler, holdout, fit.holdout(),
				fit.epoch(), fit.loss(), new Calibration(validation.ends(), fit.validation()));
	}

	/** The columns a forecaster reads, target first, then its features. */
	private static double[][] inputColumns(Hyperparameters hp, SeriesTable table, String target) {
		List<String> inputs = new ArrayList<>();
		inputs.add(target);
		inputs.addAll(hp.features());
		return inputs.stream().map(table::column).toArray(double[][]::new);
	}

	/**
	 * A global model: one network over the windows of every target, each series scaled on its own training rows,
	 * and backtested on its own holdout.
	 * @param base the forecaster to start from; null to train from scratch
	 */
	Result trainGlobal(String architecture, Hyperparameters hp, SeriesTable table, List<String> targets,
			Device device, Path workDir, JobListener listener, ForecastBase base) throws IOException {
		Panel panel = Panel.of(table, targets, hp);
		Fit fit = fit(architecture, hp, 1, panel.pooled(Panel.Member::train), panel.pooled(Panel.Member::validation),
				panel.pooled(Panel.Member::holdout), device, workDir, listener, base);
		List<float[][]> outputs = panel.holdoutOf(fit.holdout());
		List<float[][]> calibration = panel.validationOf(fit.validation());
		Map<String, Result> perSeries = new LinkedHashMap<>();
		for (int i = 0; i < panel.members().size(); i++) {
			Panel.Member m = panel.members().get(i);
			perSeries.put(m.name(), result(fit.dir(), hp, m.name(), m.column(), table, m.split(), m.codec(),
					m.scaler(), m.holdout(), outputs.get(i), fit.epoch(), fit.loss(),
					new Calibration(m.validation().ends(), calibration.get(i))));
		}
		return GlobalMetrics.of(fit, hp, perSeries);
	}

	/**
	 * The best epoch of a training run over prepared samples.
	 * @param dir its saved parameters
	 * @param holdout its scaled holdout forecasts, one row per holdout sample
	 * @param validation its scaled validation forecasts, which bands are calibrated on
	 */
	record Fit(Path dir, int epoch, double loss, float[][] holdout, float[][] validation) {
	}

	/** Trains the network in the {@link TrainingLoop}, from scratch or from a base, keeping the best epoch. */
	Fit fit(String architecture, Hyperparameters hp, int features, Samples train, Samples validation,
			Samples holdout, Device device, Path workDir, JobListener listener, ForecastBase base) throws IOException {
		Fit fit = run(architecture, hp, features, train, validation, holdout, device, workDir.resolve("best"),
				listener, base, hp.epochs(), hp.earlyStoppingPatience());
		if (fit.epoch() == 0) {
			throw new IllegalStateException("the validation loss was never finite: training diverged; "
					+ "try a lower learningRate");
		}
		return fit;
	}

	/**
	 * One training run of {@code epochCount} epochs (fewer with {@code patience}), the best epoch's parameters saved
	 * in {@code dir}; its epoch is 0 when no validation loss was finite.
	 */
	private Fit run(String architecture, Hyperparameters hp, int features, Samples train, Samples validation,
			Samples holdout, Device device, Path dir, JobListener listener, ForecastBase base, int epochCount,
			int patience) throws IOException {
		int window = hp.window();
		int horizon = hp.horizon();
		Random random = new Random(hp.seed());
		Engine.getInstance().setRandomSeed(hp.seed().intValue());
		Path best = Files.createDirectories(dir);
		int batchSize = Math.max(1, hp.batchSize());
		Block network;
		Set<String> baseIds = new HashSet<>();
		if (base == null) {
			network = architectures.newForecaster(architecture, features, hp.hiddenSize(), hp.layers(), hp.dropout(),
					horizon);
		}
		else {
			ForecasterTransfer transfer = ForecasterTransfer.of(base.network(), base.horizon(), horizon);
			network = transfer.network();
			transfer.body().freezeParameters(base.freeze());
			transfer.body().getParameters().values().forEach(parameter -> baseIds.add(parameter.getId()));
		}
		BaseRates rates = new BaseRates(hp.learningRate(), baseIds, base == null ? 1f : base.baseFactor());
		OptimizerSettings optimizer = new OptimizerSettings(hp.optimizer(), hp.weightDecay(), 1f, rates,
				fusedOptimizer);
		try (Model model = Model.newInstance(MODEL_NAME, device)) {
			model.setBlock(network);
			DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.l2Loss()).optOptimizer(optimizer.djl())
				.optDevices(new Device[] { device });
			try (Trainer trainer = model.newTrainer(config)) {
				trainer.initialize(new Shape(batchSize, window, features));
				Epochs epochs = new Epochs(train, validation, holdout, random, batchSize, window, features, horizon,
						best, model);
				TrainingLoop.Best outcome = TrainingLoop.run(trainer, optimizer, epochs, epochCount, patience,
						listener);
				return new Fit(best, outcome.epoch(), -outcome.score(), epochs.bestHoldout, epochs.bestValidation);
			}
		}
	}

	/**
	 * Trains the evaluated recipe again on every row (the scaler too), for the evaluated run's best number of epochs,
	 * so the served network has seen the newest data; the evaluation, bands included, stays the held-out run's. With
	 * no rows left to validate on, the epoch with the lowest loss over all windows is kept, in practice the last.
	 */
	public Result refit(String architecture, Hyperparameters hp, SeriesTable table, String target, Device device,
			Path workDir, JobListener listener, Result evaluated) throws IOException {
		double[][] columns = inputColumns(hp, table, target);
		boolean logReturns = ForecastCodec.LOG_RETURNS.equals(hp.targetTransform());
		int lag = ForecastCodec.lag(hp.targetTransform());
		int window = hp.window();
		int horizon = hp.horizon();
		int features = columns.length;
		int epochCount = (Integer) evaluated.metrics().get("bestEpoch");
		Scaler scaler = Scaler.fit(columns, table.rows(), lag, logReturns);
		ForecastCodec codec = new ForecastCodec(window, horizon, hp.targetTransform(), scaler.mean(), scaler.std());
		Samples all = samples(columns, codec, window + lag, table.rows() - horizon, logReturns);
		Fit fit = run(architecture, hp, features, all, all, all, device, workDir.resolve("refit"),
				new RefitListener(listener), null, epochCount, 0);
		if (fit.epoch() == 0) {
			throw new IllegalStateException("the refit on all rows diverged; try a lower learningRate");
		}
		ForecastSpec was = evaluated.spec();
		ForecastSpec spec = new ForecastSpec(was.window(), was.horizon(), was.target(), was.features(),
				ForecastCodec.scaler(scaler.mean(), scaler.std()), was.targetTransform(), was.bands(),
				was.hiddenSize(), was.layers(), was.dropout());
		Map<String, Object> metrics = new LinkedHashMap<>(evaluated.metrics());
		Map<String, Object> refit = new LinkedHashMap<>();
		refit.put("rows", table.rows());
		refit.put("windows", all.size());
		refit.put("epochs", epochCount);
		refit.put("note", "the served network was retrained on every row after evaluation; the metrics and bands "
				+ "are the held-out run's");
		metrics.put("refit", refit);
		return new Result(fit.dir(), spec, evaluated.inputShape(), metrics, evaluated.holdout());
	}

	/** The refit's progress and batches reach the job; its epochs do not, the history stays the evaluated run's. */
	private record RefitListener(JobListener job) implements JobListener {

		@Override
		public void progress(io.deepserve.training.TrainingJob.Progress progress) {
			job.progress(progress);
		}

		@Override
		public void epoch(EpochResult result) {
		}

		@Override
		public void batch(int samples, long nanos, double loss) {
			job.batch(samples, nanos, loss);
		}

		@Override
		public boolean cancelRequested() {
			return job.cancelRequested();
		}

	}

	/**
	 * The training windows in a new order each epoch, validation by loss (the score is its negative), and for the
	 * best epoch its parameters saved and its holdout forecasts kept.
	 */
	private static final class Epochs implements TrainingLoop.Epochs {

		private final Samples train;

		private final Samples validation;

		private final Samples holdout;

		private final Random random;

		private final int batchSize;

		private final int window;

		private final int features;

		private final int horizon;

		private final Path best;

		private final Model model;

		private int[] order;

		private float[][] bestHoldout;

		private float[][] bestValidation;

		Epochs(Samples train, Samples validation, Samples holdout, Random random, int batchSize, int window,
				int features, int horizon, Path best, Model model) {
			this.train = train;
			this.validation = validation;
			this.holdout = holdout;
			this.random = random;
			this.batchSize = batchSize;
			this.window = window;
			this.features = features;
			this.horizon = horizon;
			this.best = best;
			this.model = model;
		}

		@Override
		public int batches() {
			return (train.size() + batchSize - 1) / batchSize;
		}

		@Override
		public void startEpoch() {
			order = shuffled(train.size(), random);
		}

		@Override
		public Batch batch(NDManager scope, int index) {
			int from = index * batchSize;
			int n = Math.min(train.size(), from + batchSize) - from;
			NDList data = new NDList(gather(scope, train.inputs(), order, from, n, window * features,
					new Shape(n, window, features)));
			NDList labels = new NDList(gather(scope, train.targets(), order, from, n, horizon, new Shape(n, horizon)));
			return new Batch(data, labels, n);
		}

		@Override
		public Validation validate(Trainer trainer, int epoch, double trainLoss) {
			double loss = loss(predict(trainer, validation, window, features, horizon), validation, horizon);
			return new Validation(new EpochResult(epoch, trainLoss, loss, null, null), -loss);
		}

		@Override
		public void keep(Trainer trainer) throws IOException {
			// the holdout is only forecast here, never used to choose anything
			bestHoldout = predict(trainer, holdout, window, features, horizon);
			bestValidation = predict(trainer, validation, window, features, horizon);
			clean(best);
			model.save(best, MODEL_NAME);
		}

	}

	/** The validation windows' forecasts of the best epoch, which the bands are calibrated on. */
	record Calibration(int[] ends, float[][] outputs) {
	}

	Result result(Path best, Hyperparameters hp, String target, double[] targetColumn, SeriesTable table,
			ChronologicalSplit split, ForecastCodec codec, Scaler scaler, Samples holdout, float[][] outputs,
			int bestEpoch, double bestLoss, Calibration calibration) {
		Backtest backtest = new Backtest(targetColumn, split.trainEnd(), hp.season());
		int horizon = hp.horizon();
		List<double[]> actual = new ArrayList<>();
		List<double[]> model = new ArrayList<>();
		List<double[]> naive = new ArrayList<>();
		List<double[]> seasonal = new ArrayList<>();
		for (int i = 0; i < holdout.size(); i++) {
			int end = holdout.ends()[i];
			actual.add(backtest.actual(end, horizon));
			model.add(codec.decode(outputs[i], targetColumn[end - 1], horizon));
			naive.add(backtest.naive(end, horizon));
			seasonal.add(backtest.seasonalNaive(end, horizon));
		}
		Map<String, Object> modelScores = backtest.score(actual, model);
		Map<String, Object> naiveScores = backtest.score(actual, naive);
		Map<String, Object> seasonalScores = backtest.score(actual, seasonal);
		seasonalScores.put("season", backtest.season());
		List<double[]> calibrationActual = new ArrayList<>();
		List<double[]> calibrationModel = new ArrayList<>();
		for (int i = 0; i < calibration.ends().length; i++) {
			int end = calibration.ends()[i];
			calibrationActual.add(backtest.actual(end, horizon));
			calibrationModel.add(codec.decode(calibration.outputs()[i], targetColumn[end - 1], horizon));
		}
		Bands bands = Bands.fit(targetColumn, calibration.ends(), calibrationActual, calibrationModel,
				codec.logReturns(), codec.historyNeeded());

		Map<String, Object> backtestFigures = new LinkedHashMap<>();
		backtestFigures.put("windows", holdout.size());
		backtestFigures.put("model", modelScores);
		backtestFigures.put("naive", naiveScores);
		backtestFigures.put("seasonalNaive", seasonalScores);
		backtestFigures.put("relativeMae", mae(modelScores) / mae(naiveScores));
		backtestFigures.put("bandCoverage", bands.coverage(targetColumn, holdout.ends(), actual, model));
		Map<String, Object> metrics = new LinkedHashMap<>();
		metrics.put("bestEpoch", bestEpoch);
		metrics.put("bestValidationLoss", bestLoss);
		// as written: 0.05, not the float's 0.05000000074505806
		double level = Double.parseDouble(hp.significanceLevel().toString());
		metrics.putAll(Significance.metrics(actual, model, naive, seasonal, level));
		metrics.put("comparedOn", "holdout absolute errors, Diebold-Mariano at level " + level);
		metrics.put("split", split(table, split));
		metrics.put("backtest", backtestFigures);
		ForecastSpec spec = new ForecastSpec(hp.window(), horizon, target, hp.features(),
				ForecastCodec.scaler(scaler.mean(), scaler.std()), hp.targetTransform(), bands.toMap(),
				hp.hiddenSize(), hp.layers(), hp.dropout());
		return new Result(best, spec, List.of(1L, (long) hp.window(), (long) codec.features()), metrics,
				new Holdout(actual, model));
	}

	private static Map<String, Object> split(SeriesTable table, ChronologicalSplit split) {
		Map<String, Object> figures = new LinkedHashMap<>();
		figures.put("rows", split.rows());
		figures.put("trainRows", split.trainEnd());
		figures.put("validationRows", split.validationEnd() - split.trainEnd());
		figures.put("holdoutRows", split.rows() - split.validationEnd());
		if (table.time() != null) {
			figures.put("validationFrom", table.time().get(split.trainEnd()));
			figures.put("holdoutFrom", table.time().get(split.validationEnd()));
		}
		return figures;
	}

	private static double mae(Map<String, Object> scores) {
		return (Double) scores.get("mae");
	}

	static Samples samples(double[][] columns, ForecastCodec codec, int from, int to, boolean logReturns) {
		int n = to - from + 1;
		int window = codec.window();
		int horizon = codec.horizon();
		int each = window * codec.features();
		int[] ends = new int[n];
		float[] inputs = new float[n * each];
		float[] targets = new float[n * horizon];
		double mean = codec.mean(0);
		double std = codec.std(0);
		for (int i = 0; i < n; i++) {
			int end = from + i;
			ends[i] = end;
			System.arraycopy(codec.encode(columns, end), 0, inputs, i * each, each);
			for (int k = 0; k < horizon; k++) {
				targets[i * horizon + k] = (float) ((ForecastCodec.modelValue(columns, 0, end + k, logReturns) - mean)
						/ std);
			}
		}
		return new Samples(ends, inputs, targets);
	}

	/** Scaled outputs, one row per sample, with the inference forward. */
	private static float[][] predict(Trainer trainer, Samples samples, int window, int features, int horizon) {
		float[][] outputs = new float[samples.size()][];
		int chunk = 256;
		int each = window * features;
		for (int from = 0; from < samples.size(); from += chunk) {
			int n = Math.min(samples.size(), from + chunk) - from;
			try (NDManager scope = trainer.getManager().newSubManager()) {
				float[] data = Arrays.copyOfRange(samples.inputs(), from * each, (from + n) * each);
				NDList out = trainer.evaluate(new NDList(scope.create(data, new Shape(n, window, features))));
				float[] flat = out.head().toFloatArray();
				for (int i = 0; i < n; i++) {
					outputs[from + i] = Arrays.copyOfRange(flat, i * horizon, (i + 1) * horizon);
				}
			}
		}
		return outputs;
	}

	/** The mean of the L2 loss (half the squared error, in scaled units), as training reports it. */
	private static double loss(float[][] outputs, Samples samples, int horizon) {
		double sum = 0;
		for (int i = 0; i < outputs.length; i++) {
			for (int k = 0; k < horizon; k++) {
				double e = outputs[i][k] - samples.targets()[i * horizon + k];
				sum += 0.5 * e * e;
			}
		}
		return sum / ((double) outputs.length * horizon);
	}

	private static NDArray gather(NDManager scope, float[] all, int[] order, int from, int n, int each, Shape shape) {
		float[] data = new float[n * each];
		for (int i = 0; i < n; i++) {
			System.arraycopy(all, order[from + i] * each, data, i * each, each);
		}
		return scope.create(data, shape);
	}

	private static int[] shuffled(int n, Random random) {
		int[] order = new int[n];
		for (int i = 0; i < n; i++) {
			order[i] = i;
		}
		for (int i = n - 1; i > 0; i--) {
			int j = random.nextInt(i + 1);
			int t = order[i];
			order[i] = order[j];
			order[j] = t;
		}
		return order;
	}

	private static void clean(Path dir) throws IOException {
		try (Stream<Path> files = Files.list(dir)) {
			for (Path file : files.toList()) {
				Files.delete(file);
			}
		}
	}

}
