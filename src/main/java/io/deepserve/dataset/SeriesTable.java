package io.deepserve.dataset;

import java.util.List;
import java.util.Map;

import io.deepserve.error.InvalidInputException;


/** The columns of a stored series dataset, every value finite. */
public final class SeriesTable {

	private final List<String> columns;

	private final String timeColumn;

	private final List<String> time;

	private final Map<String, double[]> values;

	private final int rows;

	SeriesTable(List<String> columns, String timeColumn, List<String> time, Map<String, double[]> values, int rows) {
		this.columns = List.copyOf(columns);
		this.timeColumn = timeColumn;
		this.time = time == null ? null : List.copyOf(time);
		this.values = Map.copyOf(values);
		this.rows = rows;
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

	/** A copy of one numeric column, oldest first; {@code 400 unknown_column} if there is no such column. */
	public double[] column(String name) {
		double[] column = values.get(name);
		if (column == null) {
			throw new InvalidInputException("unknown_column",
					"the series has no numeric column '" + name + "'; it has " + columns);
		}
		return column.clone();
	}

}
