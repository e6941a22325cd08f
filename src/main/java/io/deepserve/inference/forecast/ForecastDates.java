package io.deepserve.inference.forecast;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import io.deepserve.dataset.SeriesDates;
import io.deepserve.dataset.SeriesDates.Frequency;
import io.deepserve.error.InvalidInputException;
import io.deepserve.registry.ModelVersion;

/**
 * The dates of a forecast's rows. From the request's {@code dates} (one per series row, oldest first: the newest
 * rows the version reads must be strictly increasing and follow the version's frequency, or one inferred from them),
 * else from the newest date of the version's training data ({@code metrics.dates}). Null when neither has a
 * calendar frequency.
 */
final class ForecastDates {

	private ForecastDates() {
	}

	/**
	 * @param dates the request's, or null
	 * @param rows the series rows the request held
	 */
	static List<String> of(ModelVersion version, DateTail dates, int rows, int steps) {
		Map<?, ?> known = version.metrics() != null && version.metrics().get("dates") instanceof Map<?, ?> m ? m
				: null;
		Frequency frequency = known == null ? null : Frequency.of((String) known.get("frequency"));
		LocalDate last;
		if (dates != null) {
			if (dates.length() != rows) {
				throw invalid("dates holds " + dates.length() + " dates for " + rows + " series rows; send one date "
						+ "per row, oldest first");
			}
			List<LocalDate> parsed = SeriesDates.parseAll(dates.kept());
			if (parsed == null) {
				throw invalid("dates must be calendar dates such as 2024-01-31; the newest are " + dates.kept());
			}
			if (frequency == null) {
				frequency = SeriesDates.infer(parsed);
			}
			SeriesDates.check(parsed, frequency, "dates");
			if (parsed.isEmpty()) {
				return null;
			}
			last = parsed.get(parsed.size() - 1);
		}
		else {
			last = known == null || known.get("last") == null ? null : SeriesDates.parse((String) known.get("last"));
		}
		if (frequency == null || last == null) {
			return null;
		}
		return SeriesDates.next(last, frequency, steps).stream().map(LocalDate::toString).toList();
	}

	private static InvalidInputException invalid(String detail) {
		return new InvalidInputException("invalid_dates", detail);
	}

}
