package io.deepserve.inference.forecast;

/**
 * The newest rows of a series as it streams by: a forecast reads only its version's last
 * {@link ForecastCodec#historyNeeded()} rows, so older ones are counted and dropped, never held, whatever their
 * number. A row that is not usable is kept as the reason why, and refused only if it is among the newest.
 */
public final class SeriesTail {

	private final int features;

	private final double[][] rows;

	private final String[] faults;

	private int length;

	/** @param keep the rows a forecast reads */
	public SeriesTail(int keep, int features) {
		this.features = features;
		this.rows = new double[keep][];
		this.faults = new String[keep];
	}

	public int features() {
		return features;
	}

	/** @param row {@link #features()} values, target first */
	public void add(double[] row) {
		rows[length % rows.length] = row;
		faults[length % rows.length] = null;
		length++;
	}

	/** @param why completes "series value N is ..." */
	public void fault(String why) {
		rows[length % rows.length] = null;
		faults[length % rows.length] = why;
		length++;
	}

	/** Rows seen, kept or not. */
	public int length() {
		return length;
	}

	/** Rows kept: the newest, at most as many as a forecast reads. */
	int kept() {
		return Math.min(length, rows.length);
	}

	/** The absolute index of kept row {@code i} (0 is the oldest kept). */
	int index(int i) {
		return length - kept() + i;
	}

	double[] row(int i) {
		return rows[index(i) % rows.length];
	}

	String fault(int i) {
		return faults[index(i) % rows.length];
	}

}
