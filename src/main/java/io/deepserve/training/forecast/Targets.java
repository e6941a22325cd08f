package io.deepserve.training.forecast;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.deepserve.error.InvalidInputException;
import io.deepserve.training.TrainingRequest;

/** The columns a forecasting job forecasts: its {@code target} alone, or a global model's {@code targets}. */
final class Targets {

	private Targets() {
	}

	static boolean global(TrainingRequest request) {
		return request.targets() != null;
	}

	/**
	 * @param columns the dataset's numeric columns
	 * @throws InvalidInputException {@code 400 invalid_request} for none, both, an empty, mixed or repeated list;
	 * {@code 400 unknown_column} for a name the dataset lacks
	 */
	static List<String> of(TrainingRequest request, List<String> columns) {
		if (request.targets() == null) {
			if (request.target() == null) {
				throw invalid("target (the column to forecast), or targets (the columns of a global model, or \"*\" "
						+ "for all), is required; the series has " + columns);
			}
			requireColumn(columns, request.target());
			return List.of(request.target());
		}
		if (request.target() != null) {
			throw invalid("give target (one series) or targets (a global model), not both");
		}
		List<String> targets = request.targets();
		if (targets.isEmpty() || targets.contains(null)) {
			throw invalid("targets must name at least one column, or be \"*\" for every numeric column");
		}
		if (targets.contains(TrainingRequest.ALL_COLUMNS)) {
			if (targets.size() > 1) {
				throw invalid("targets is either \"*\" alone or a list of column names");
			}
			return columns;
		}
		Set<String> seen = new HashSet<>();
		for (String target : targets) {
			requireColumn(columns, target);
			if (!seen.add(target)) {
				throw invalid("targets must be distinct; '" + target + "' is repeated");
			}
		}
		return List.copyOf(targets);
	}

	private static void requireColumn(List<String> columns, String column) {
		if (!columns.contains(column)) {
			throw new InvalidInputException("unknown_column",
					"the series has no numeric column '" + column + "'; it has " + columns);
		}
	}

	private static InvalidInputException invalid(String detail) {
		return new InvalidInputException("invalid_request", detail);
	}

}
