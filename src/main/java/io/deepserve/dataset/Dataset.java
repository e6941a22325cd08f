package io.deepserve.dataset;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A stored dataset as clients and the training module see it. Image fields are null for a series and series
 * fields null for images (and so left out of the JSON).
 *
 * @param id generated identifier, a UUID
 * @param name the name it was uploaded under; names are not unique
 * @param kind {@link #IMAGES} or {@link #SERIES}
 * @param sha256 lower-case hex SHA-256 of the stored file
 * @param sizeBytes size of the stored file
 * @param createdAt when it was stored
 * @param classes image class labels, sorted
 * @param counts images per class, over both splits
 * @param splits images per class in {@code train/} and {@code val/}, or null when the zip was not split
 * @param columns the numeric columns of a series, in file order
 * @param timeColumn the date/time column of a series, or null when it has none
 * @param rows data rows of a series
 * @param frequency the inferred frequency of a series' dates ({@code business-day}, {@code daily}, {@code weekly},
 * {@code monthly}, {@code quarterly}, {@code yearly}), or null when it has no dates or they follow none
 * @param missing empty/NA cells per numeric column of a series that has any; null when none
 */
public record Dataset(String id, String name, String kind, String sha256, long sizeBytes, Instant createdAt,
		List<String> classes, Map<String, Integer> counts, Splits splits, List<String> columns, String timeColumn,
		Integer rows, String frequency, Map<String, Integer> missing) {

	public static final String IMAGES = "images";

	public static final String SERIES = "series";

	/**
	 * How an image zip was split by its author.
	 *
	 * @param train images per class under {@code train/}
	 * @param val images per class under {@code val/}; empty when only {@code train/} was given
	 */
	public record Splits(Map<String, Integer> train, Map<String, Integer> val) {
	}

}
