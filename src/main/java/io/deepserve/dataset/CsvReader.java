package io.deepserve.dataset;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

import io.deepserve.error.InvalidInputException;


/**
 * Reads RFC 4180 records: comma separated, fields optionally in double quotes with {@code ""} for a quote, any
 * line ending. Blank lines are skipped. Pass a buffered reader.
 */
final class CsvReader {

	private static final int NONE = -2;

	private final Reader in;

	private int pending = NONE;

	private long lineNo = 1;

	private long recordLine;

	CsvReader(Reader in) {
		this.in = in;
	}

	/** The line the last record returned starts on, 1-based. */
	long line() {
		return recordLine;
	}

	/** The next record, or null at the end. */
	List<String> next() throws IOException {
		List<String> fields = new ArrayList<>();
		StringBuilder field = new StringBuilder();
		boolean quoted = false;
		boolean blank = true;
		recordLine = lineNo;
		while (true) {
			int c = read();
			if (c == 0) {
				throw new InvalidInputException("invalid_csv",
						"line " + lineNo + " holds a NUL character: the file is binary, not a CSV");
			}
			if (quoted) {
				if (c < 0) {
					throw new InvalidInputException("invalid_csv",
							"the quoted field opened on line " + recordLine + " is never closed");
				}
				if (c == '"') {
					int after = read();
					if (after == '"') {
						field.append('"');
					}
					else {
						quoted = false;
						pending = after;
					}
					continue;
				}
				lineNo += c == '\n' ? 1 : 0;
				field.append((char) c);
				continue;
			}
			if (c < 0 || c == '\n' || c == '\r') {
				if (c == '\r') {
					int after = read();
					pending = after == '\n' ? NONE : after;
				}
				lineNo += c < 0 ? 0 : 1;
				if (!blank) {
					fields.add(field.toString());
					return fields;
				}
				if (c < 0) {
					return null;
				}
				recordLine = lineNo;
				continue;
			}
			blank = false;
			if (c == '"' && field.isEmpty()) {
				quoted = true;
			}
			else if (c == ',') {
				fields.add(field.toString());
				field.setLength(0);
			}
			else {
				field.append((char) c);
			}
		}
	}

	private int read() throws IOException {
		if (pending != NONE) {
			int c = pending;
			pending = NONE;
			return c;
		}
		return in.read();
	}

}
