package io.deepserve.dataset;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import io.deepserve.error.DeepserveException;
import io.deepserve.error.InvalidInputException;

/**
 * Parses a series CSV: a header, an optional date/time column, numeric columns. A column is numeric when its first
 * value looks like a number (or a missing one), and then every value in it must be a finite number or empty/NA,
 * which is kept as a missing cell (NaN) for training to handle as its {@code missing} policy says. Text columns
 * other than the time column are left out. An unnamed numeric first column is R's row index and is left out too.
 * <p>
 * A time column of dates (or of numbers, such as R's fractional years) orders the rows: a newest-first file is
 * read oldest first, a shuffled one sorted; two rows of one date are {@code 400 duplicate_dates}. For dates, a
 * frequency is inferred ({@link SeriesDates}) and a step that breaks it is {@code 400 date_gap}.
 */
final class SeriesCsv {

	private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");

	/** What R, pandas and spreadsheets write where a number is missing. */
	private static final Set<String> MISSING = Set.of("", "na", "nan", "null", "none", "n/a", "#n/a");

	/** What they write for a number that is not finite: refused, it is no missing value. */
	private static final Set<String> INFINITE = Set.of("inf", "+inf", "-inf", "infinity", "+infinity", "-infinity");

	private static final Pattern TIME_NAME = Pattern
		.compile("(?i)^(t|ds|year|month|day|period)$|(^|[^a-z])(date|time|datetime|timestamp)([^a-z]|$)");

	private SeriesCsv() {
	}

	static Summary validate(Path file, int minRows) throws IOException {
		SeriesTable table = parse(file, minRows, false);
		return Summary.series(table.columns(), table.timeColumn(), table.rows(), table.frequency(),
				table.missingCells());
	}

	/** @param keep whether to keep the values; without, only checks them */
	static SeriesTable parse(Path file, int minRows, boolean keep) throws IOException {
		try {
			return read(file, minRows, keep);
		}
		catch (CharacterCodingException ex) {
			throw new InvalidInputException("invalid_csv", "the file is not UTF-8 text; if it is a CSV in another "
					+ "encoding, upload it with its charset (for example charset=ISO-8859-1)");
		}
	}

	/**
	 * Rewrites {@code file} in UTF-8, the one encoding stored series are read in.
	 * @throws DeepserveException {@code 400 invalid_csv} if it is not text in {@code charset}
	 */
	static void transcodeToUtf8(Path file, Charset charset) throws IOException {
		Path utf8 = file.resolveSibling(file.getFileName() + ".utf8");
		try (Reader in = Files.newBufferedReader(file, charset);
				Writer out = Files.newBufferedWriter(utf8, StandardCharsets.UTF_8)) {
			in.transferTo(out);
		}
		catch (CharacterCodingException ex) {
			Files.deleteIfExists(utf8);
			throw new InvalidInputException("invalid_csv", "the file is not " + charset.name() + " text");
		}
		Files.move(utf8, file, StandardCopyOption.REPLACE_EXISTING);
	}

	private static SeriesTable read(Path file, int minRows, boolean keep) throws IOException {
		try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
			skipByteOrderMark(reader);
			CsvReader csv = new CsvReader(reader);
			List<String> header = csv.next();
			if (header == null) {
				throw new InvalidInputException("empty_dataset", "the file is empty");
			}
			header = header.stream().map(String::trim).toList();
			List<String> first = csv.next();
			if (first == null) {
				throw tooFewRows(0, minRows);
			}
			checkWidth(first, header, 1, csv.line());
			int time = timeColumn(header, first);
			List<Integer> numeric = numericColumns(header, first, time);
			String timeName = time < 0 ? null : header.get(time).isEmpty() ? "time" : header.get(time);
			List<String> times = time < 0 ? null : new ArrayList<>();
			double[][] values = new double[numeric.size()][keep ? 1024 : 0];
			int[] missing = new int[numeric.size()];
			int rows = 0;
			for (List<String> record = first; record != null; record = csv.next()) {
				rows++;
				checkWidth(record, header, rows, csv.line());
				for (int i = 0; i < numeric.size(); i++) {
					double value = number(record.get(numeric.get(i)), header.get(numeric.get(i)), rows, csv.line());
					missing[i] += Double.isNaN(value) ? 1 : 0;
					if (keep) {
						if (rows > values[i].length) {
							values[i] = Arrays.copyOf(values[i], values[i].length * 2);
						}
						values[i][rows - 1] = value;
					}
				}
				if (times != null) {
					times.add(record.get(time).trim());
				}
			}
			if (rows < minRows) {
				throw tooFewRows(rows, minRows);
			}
			SeriesOrder order = times == null ? null : SeriesOrder.of(times, timeName);
			Map<String, double[]> columns = new LinkedHashMap<>();
			Map<String, Integer> missingCells = new LinkedHashMap<>();
			for (int i = 0; i < numeric.size(); i++) {
				if (keep) {
					double[] column = Arrays.copyOf(values[i], rows);
					columns.put(header.get(numeric.get(i)), order == null ? column : order.apply(column));
				}
				if (missing[i] > 0) {
					missingCells.put(header.get(numeric.get(i)), missing[i]);
				}
			}
			List<String> names = numeric.stream().map(header::get).toList();
			return new SeriesTable(names, timeName, order == null ? null : order.times(), columns, rows,
					order == null ? null : order.frequency(), missingCells);
		}
	}

	/**
	 * The first column if it is named like a time or holds text, else a text column named like a time; -1 if none.
	 * A numeric column further right stays numeric whatever its name: {@code T} is AT&T's ticker in DowJones30.
	 */
	private static int timeColumn(List<String> header, List<String> first) {
		if (TIME_NAME.matcher(header.get(0)).find() || !looksNumeric(first.get(0))) {
			return 0;
		}
		for (int i = 1; i < header.size(); i++) {
			if (TIME_NAME.matcher(header.get(i)).find() && !looksNumeric(first.get(i))) {
				return i;
			}
		}
		return -1;
	}

	private static List<Integer> numericColumns(List<String> header, List<String> first, int time) {
		List<Integer> numeric = new ArrayList<>();
		Set<String> names = new HashSet<>();
		for (int i = 0; i < header.size(); i++) {
			String name = header.get(i);
			if (i == time || !looksNumeric(first.get(i)) || (i == 0 && name.isEmpty())) {
				continue;
			}
			if (name.isEmpty()) {
				throw new InvalidInputException("invalid_csv", "column " + (i + 1) + " has no name in the header");
			}
			if (!names.add(name) || (time >= 0 && name.equals(header.get(time)))) {
				throw new InvalidInputException("invalid_csv", "column '" + name + "' appears twice in the header");
			}
			numeric.add(i);
		}
		if (numeric.isEmpty()) {
			throw new InvalidInputException("no_numeric_column",
					"the series has no numeric column; the header is " + header);
		}
		return numeric;
	}

	private static double number(String raw, String column, int row, long line) {
		String text = raw.trim();
		if (DECIMAL.matcher(text).matches()) {
			double value = Double.parseDouble(text);
			if (Double.isFinite(value)) {
				return value;
			}
		}
		else if (MISSING.contains(text.toLowerCase())) {
			return Double.NaN;
		}
		throw new InvalidInputException("invalid_number", "row " + row + " (line " + line + "), column '" + column
				+ "': '" + text + "' is not a finite number (an empty or NA cell is a missing value)");
	}

	private static boolean looksNumeric(String raw) {
		String text = raw.trim();
		return DECIMAL.matcher(text).matches() || MISSING.contains(text.toLowerCase())
				|| INFINITE.contains(text.toLowerCase());
	}

	private static void checkWidth(List<String> record, List<String> header, int row, long line) {
		if (record.size() != header.size()) {
			throw new InvalidInputException("ragged_row", "row " + row + " (line " + line + ") has " + record.size()
					+ " values but the header has " + header.size() + " columns");
		}
	}

	/** Spreadsheets on Windows start UTF-8 files with one. */
	private static void skipByteOrderMark(BufferedReader reader) throws IOException {
		reader.mark(1);
		if (reader.read() != '\uFEFF') {
			reader.reset();
		}
	}

	private static DeepserveException tooFewRows(int rows, int minRows) {
		return new InvalidInputException("too_few_rows",
				"the series has " + rows + " data rows; at least " + minRows + " are needed");
	}

}
