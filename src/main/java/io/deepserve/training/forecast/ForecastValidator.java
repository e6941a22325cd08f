package io.deepserve.training.forecast;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.springframework.stereotype.Component;

import io.deepserve.dataset.Dataset;
import io.deepserve.dataset.DatasetService;
import io.deepserve.dataset.SeriesTable;
import io.deepserve.error.DeepserveException;
import io.deepserve.error.InvalidInputException;
import io.deepserve.nn.Architectures;
import io.deepserve.task.forecast.ForecastCodec;
import io.deepserve.training.Hyperparameters;
import io.deepserve.training.OptimizerSettings;
import io.deepserve.training.TrainingRequest;

/** Checks a forecasting job completely before it is queued, so a job fails only for reasons found while training. */
@Component
public class ForecastValidator {

	/** Longest window accepted: a recurrent network unrolled further would train for hours on a CPU. */
	static final int MAX_WINDOW = 10_000;

	private final DatasetService datasets;

	private final Architectures architectures;

	ForecastValidator(DatasetService datasets, Architectures architectures) {
		this.datasets = datasets;
		this.architectures = architectures;
	}

	/** @return the series dataset the job reads */
	public Dataset validate(TrainingRequest request) {
		if (request.dataset() == null) {
			throw new InvalidInputException("invalid_request", "dataset (a dataset id or name) is required");
		}
		Dataset dataset = datasets.resolve(request.dataset());
		if (!Dataset.SERIES.equals(dataset.kind())) {
			throw new InvalidInputException("wrong_dataset_kind", "forecasting needs a series dataset, and "
					+ dataset.id() + " is an " + dataset.kind() + " dataset");
		}
		List<String> targets = Targets.of(request, dataset.columns());
		Hyperparameters hp = request.resolved();
		if (Targets.global(request) && !hp.features().isEmpty()) {
			throw invalid("a global model reads each of its targets alone: features cannot be given with targets");
		}
		Set<String> seen = new HashSet<>(targets);
		for (String feature : hp.features()) {
			requireColumn(dataset, feature);
			if (!seen.add(feature)) {
				throw invalid("features must be distinct columns other than the target; '" + feature
						+ "' is repeated");
			}
		}
		if (hp.epochs() <= 0) {
			throw invalid("epochs must be positive");
		}
		if (hp.batchSize() < 1) {
			throw invalid("batchSize must be at least 1");
		}
		if (!(hp.learningRate() > 0)) {
			throw invalid("learningRate must be positive");
		}
		OptimizerSettings.require(hp.optimizer(), hp.weightDecay());
		if (hp.earlyStoppingPatience() < 0) {
			throw invalid("earlyStoppingPatience must not be negative");
		}
		if (!(hp.validationSplit() > 0 && hp.holdoutSplit() > 0 && hp.validationSplit() + hp.holdoutSplit() < 1)) {
			throw invalid("validationSplit and holdoutSplit must be above 0, with their sum below 1");
		}
		if (hp.window() < 1 || hp.window() > MAX_WINDOW) {
			throw invalid("window must be between 1 and " + MAX_WINDOW + ", not " + hp.window());
		}
		if (hp.season() < 1) {
			throw invalid("season must be at least 1");
		}
		if (!ForecastCodec.TRANSFORMS.contains(hp.targetTransform())) {
			throw invalid("targetTransform must be one of " + ForecastCodec.TRANSFORMS);
		}
		// builds nothing heavy: checks the cell, hiddenSize, layers, horizon and dropout in one place
		architectures.newForecaster(request.architecture(), 1 + hp.features().size(), hp.hiddenSize(), hp.layers(),
				hp.dropout(), hp.horizon());
		// DenseNet's growthRate and compression are no forecaster's
		architectures.requireOptions(request.architecture(), hp.architectureOptions());
		if (!SeriesTable.MISSING_POLICIES.contains(hp.missing())) {
			throw invalid("missing must be one of " + SeriesTable.MISSING_POLICIES + ", not '" + hp.missing() + "'");
		}
		if (!(hp.significanceLevel() > 0 && hp.significanceLevel() <= 0.5)) {
			throw invalid("significanceLevel must be above 0 and at most 0.5");
		}
		if (hp.refit() && Targets.global(request)) {
			throw invalid("refit is offered for a model of one target, not yet for a global model of several");
		}
		if (hp.refit() && request.baseModel() != null) {
			throw new InvalidInputException("invalid_transfer", "refit retrains from scratch on every row, which "
					+ "would drop what the base model brings; leave refit out when training from a base");
		}
		// auto may choose log-returns, which read one row more
		int lag = ForecastCodec.AUTO.equals(hp.targetTransform()) ? 1 : ForecastCodec.lag(hp.targetTransform());
		ChronologicalSplit.of(dataset.rows(), hp.window(), hp.horizon(), lag, hp.validationSplit(),
				hp.holdoutSplit());
		List<String> read = columnsRead(request, targets);
		boolean gaps = dataset.missing() != null && read.stream().anyMatch(dataset.missing()::containsKey);
		if (gaps || ForecastCodec.LOG_RETURNS.equals(hp.targetTransform())) {
			SeriesTable table = read(dataset).withMissing(read, hp.missing());
			if (ForecastCodec.LOG_RETURNS.equals(hp.targetTransform())) {
				for (String target : targets) {
					requirePositive(table.column(target), target);
				}
			}
		}
		return dataset;
	}

	/** The columns a job reads: its targets, then its features. */
	static List<String> columnsRead(TrainingRequest request, List<String> targets) {
		List<String> columns = new ArrayList<>(targets);
		columns.addAll(request.resolved().features());
		return columns;
	}

	private static void requireColumn(Dataset dataset, String column) {
		if (!dataset.columns().contains(column)) {
			throw new InvalidInputException("unknown_column",
					"the series has no numeric column '" + column + "'; it has " + dataset.columns());
		}
	}

	private SeriesTable read(Dataset dataset) {
		try {
			return datasets.readSeries(dataset.id());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static void requirePositive(double[] values, String target) {
		for (double value : values) {
			if (!(value > 0)) {
				throw invalid("log-returns need a target that is always above 0, and '" + target + "' holds "
						+ value);
			}
		}
	}

	private static DeepserveException invalid(String detail) {
		return new InvalidInputException("invalid_hyperparameter", detail);
	}

}
