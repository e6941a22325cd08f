package io.deepserve.dataset;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What validation learned about a dataset file; stored beside it as JSON and copied into {@link Dataset}.
 * Image fields are null for a series and series fields null for images.
 */
record Summary(List<String> classes, Map<String, Integer> counts, Dataset.Splits splits, List<String> columns,
		String timeColumn, Integer rows, String frequency, Map<String, Integer> missing) {

	static Summary images(List<String> classes, Map<String, Integer> counts, Dataset.Splits splits) {
		return new Summary(classes, counts, splits, null, null, null, null, null);
	}

	static Summary series(List<String> columns, String timeColumn, int rows, String frequency,
			Map<String, Integer> missing) {
		return new Summary(null, null, null, columns, timeColumn, rows, frequency, missing.isEmpty() ? null : missing);
	}

	Dataset toDataset(String id, String name, String kind, String sha256, long sizeBytes, Instant createdAt) {
		return new Dataset(id, name, kind, sha256, sizeBytes, createdAt, classes, counts, splits, columns, timeColumn,
				rows, frequency, missing);
	}

}
