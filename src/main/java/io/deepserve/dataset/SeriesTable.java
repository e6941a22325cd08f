package io.deepserve.dataset;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.deepserve.error.InvalidInputException;


/**
 * The columns of a stored series dataset, oldest first; a missing cell is NaN until a {@link #withMissing missing
 * policy} is applied, every other value is finite.
 */
public final class SeriesTable {

	/** Missing-value policies: refuse, drop the rows, or carry the last value forward. */
	public static final List<String> MISSING_POLICIES = List.of("error", "drop", "ffill");

	private final List<String> columns;

	private final String timeColumn;

	private final List<String> time;

	private final Map<String, double[]> values;

	private final int rows;

	private final String frequency;

	private final Map<String, Integer> missingCells;

	SeriesTable(List<String> columns, String timeColumn, List<String> time, Map<String, double[]> values, int rows,
			String frequency, Map<String, Integer> missingCells) {
		this.columns = List.copyOf(columns);
		this.timeColumn = timeColumn;
		this.time = time == null ? null : List.copyOf(time);
		this.values = Map.copyOf(values);
		this.rows = rows;
		this.frequency = frequency;
		this.missingCells = Collections.unmodifiableMap(new LinkedHashMap<>(missingCells));
	}

	/** The numeric columns, in file order. */
	public List<String> columns() {
		return columns;
	}

	/** The date/time column's name, or null when the series has none. */
	public String timeColumn() {
		return timeColumn;
	}

	/** The date/time column's values as written, oldest first; null when the series has none. */
	public List<String> time() {
		return time;
	}

	public int rows() {
		return rows;
	}

	/** The inferred frequency of the dates ({@code business-day}, {@code daily}, ...), or null. */
	public String frequency() {
		return frequency;
	}

	/** Missing cells per numeric column that has any, in file order. */
	public Map<String, Integer> missingCells() {
		return missingCells;
	}

	/** A copy of one numeric column, oldest first; {@code 400 unknown_column} if there is no such column. */
	public double[] column(String name) {
		double[] column = values.get(name);
		if (column == null) {
			throw new InvalidInputException("unknown_column",
					"the series has no numeric column '" + name + "'; it has " + columns);
		}
		return column.clone();
	}

	/**
	 * Only {@code names}, their missing cells handled: {@code error} refuses any ({@code 400 missing_values}),
	 * {@code drop} drops every row where one of them is missing (dates and all), {@code ffill} carries the last
	 * value forward (a missing first value cannot be filled and is dropped with its row).
	 */
	public SeriesTable withMissing(List<String> names, String policy) {
		List<double[]> read = names.stream().map(this::column).toList();
		boolean[] keep = new boolean[rows];
		int kept = 0;
		for (int row = 0; row < rows; row++) {
			boolean complete = true;
			for (int c = 0; c < read.size(); c++) {
				double[] column = read.get(c);
				if (Double.isNaN(column[row])) {
					if ("error".equals(policy)) {
						throw new InvalidInputException("missing_values", "column '" + names.get(c) + "' has no "
								+ "value in row " + (row + 1) + (time == null ? "" : " (" + time.get(row) + ")")
								+ "; train with hyperparameter missing: drop or ffill, or fill the file");
					}
					if ("ffill".equals(policy) && row > 0 && !Double.isNaN(column[row - 1])) {
						column[row] = column[row - 1];
					}
					else {
						complete = false;
					}
				}
			}
			keep[row] = complete;
			kept += complete ? 1 : 0;
		}
		Map<String, double[]> selected = new LinkedHashMap<>();
		for (int c = 0; c < read.size(); c++) {
			double[] column = new double[kept];
			for (int row = 0, i = 0; row < rows; row++) {
				if (keep[row]) {
					column[i++] = read.get(c)[row];
				}
			}
			selected.put(names.get(c), column);
		}
		List<String> keptTime = null;
		if (time != null) {
			keptTime = new ArrayList<>(kept);
			for (int row = 0; row < rows; row++) {
				if (keep[row]) {
					keptTime.add(time.get(row));
				}
			}
		}
		return new SeriesTable(names, timeColumn, keptTime, selected, kept, frequency, Map.of());
	}

}
