package io.deepserve.dataset;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.deepserve.error.DeepserveException;
import io.deepserve.error.InvalidInputException;

/**
 * Calendar dates of a series: parsing, the frequency they follow, the rule that refuses gaps in it, and the dates
 * that come next. A frequency is inferred when at least 90% of the steps are its nominal step; business days are
 * weekdays only, and a step of up to {@value #MAX_BUSINESS_STEP} business days is a holiday, not a gap (exchanges
 * close for a few days at most, and a week at the very worst).
 */
public final class SeriesDates {

	static final int MAX_BUSINESS_STEP = 5;

	/** {@code 2001-01-02}, {@code 2001/01/02} or {@code 20010102}, optionally followed by a time of day. */
	private static final Pattern DATE = Pattern.compile("^(\\d{4})[-/]?(\\d{2})[-/]?(\\d{2})([ T].*)?$");

	public enum Frequency {

		BUSINESS_DAY("business-day"), DAILY("daily"), WEEKLY("weekly"), MONTHLY("monthly"), QUARTERLY("quarterly"),
		YEARLY("yearly");

		private final String word;

		Frequency(String word) {
			this.word = word;
		}

		public String word() {
			return word;
		}

		public static Frequency of(String word) {
			for (Frequency f : values()) {
				if (f.word.equals(word)) {
					return f;
				}
			}
			return null;
		}

	}

	private SeriesDates() {
	}

	/** The date a cell holds, or null when it is not one. */
	public static LocalDate parse(String text) {
		Matcher m = DATE.matcher(text.trim());
		if (!m.matches()) {
			return null;
		}
		try {
			return LocalDate.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
					Integer.parseInt(m.group(3)));
		}
		catch (java.time.DateTimeException | NumberFormatException ex) {
			return null;
		}
	}

	/** Every cell as a date, or null when one of them is not. */
	public static List<LocalDate> parseAll(List<String> texts) {
		List<LocalDate> dates = new ArrayList<>(texts.size());
		for (String text : texts) {
			LocalDate date = parse(text);
			if (date == null) {
				return null;
			}
			dates.add(date);
		}
		return dates;
	}

	/** @param dates strictly increasing; null when no frequency fits at least 90% of the steps */
	public static Frequency infer(List<LocalDate> dates) {
		int steps = dates.size() - 1;
		if (steps < 2) {
			return null;
		}
		boolean weekdays = dates.stream().noneMatch(SeriesDates::weekend);
		for (Frequency f : Frequency.values()) {
			if (f == Frequency.BUSINESS_DAY && !weekdays) {
				continue;
			}
			int nominal = 0;
			for (int i = 1; i <= steps; i++) {
				nominal += periods(dates.get(i - 1), dates.get(i), f) == 1 ? 1 : 0;
			}
			if (nominal >= 0.9 * steps) {
				return f;
			}
		}
		return null;
	}

	/**
	 * @throws DeepserveException {@code 400 duplicate_dates}, {@code 400 unordered_dates} when not strictly
	 * increasing, {@code 400 date_gap} when a step breaks {@code frequency} (null: only the order is checked)
	 */
	public static void check(List<LocalDate> dates, Frequency frequency, String what) {
		for (int i = 1; i < dates.size(); i++) {
			LocalDate before = dates.get(i - 1);
			LocalDate date = dates.get(i);
			if (date.equals(before)) {
				throw new InvalidInputException("duplicate_dates", what + " holds the date " + date + " twice");
			}
			if (date.isBefore(before)) {
				throw new InvalidInputException("unordered_dates", what + " has " + date + " after " + before
						+ "; dates must be strictly increasing, oldest first");
			}
			if (frequency != null && !allowed(before, date, frequency)) {
				throw new InvalidInputException("date_gap", what + " jumps from " + before + " to " + date
						+ ", which breaks its " + frequency.word() + " frequency; fill the missing rows (or leave "
						+ "their cells empty and train with missing: ffill)");
			}
		}
	}

	/** The {@code steps} dates after {@code last}, one period apart. */
	public static List<LocalDate> next(LocalDate last, Frequency frequency, int steps) {
		List<LocalDate> dates = new ArrayList<>(steps);
		LocalDate date = last;
		for (int k = 1; k <= steps; k++) {
			date = switch (frequency) {
				case BUSINESS_DAY -> {
					LocalDate d = date.plusDays(1);
					while (weekend(d)) {
						d = d.plusDays(1);
					}
					yield d;
				}
				case DAILY -> date.plusDays(1);
				case WEEKLY -> date.plusWeeks(1);
				case MONTHLY, QUARTERLY, YEARLY -> plusMonths(last, frequency == Frequency.MONTHLY ? k
						: frequency == Frequency.QUARTERLY ? 3 * k : 12 * k);
			};
			dates.add(date);
		}
		return dates;
	}

	/** Month ends stay month ends (Jan 31 + 1 month is Feb 28, and then Mar 31). */
	private static LocalDate plusMonths(LocalDate from, int months) {
		LocalDate moved = from.plusMonths(months);
		return from.equals(YearMonth.from(from).atEndOfMonth()) ? YearMonth.from(moved).atEndOfMonth() : moved;
	}

	private static boolean allowed(LocalDate before, LocalDate date, Frequency f) {
		long days = ChronoUnit.DAYS.between(before, date);
		return switch (f) {
			case BUSINESS_DAY -> !weekend(date) && periods(before, date, f) <= MAX_BUSINESS_STEP;
			case DAILY -> days == 1;
			// a week that ends on a holiday ends a day or two early or late
			case WEEKLY -> days >= 5 && days <= 9;
			default -> periods(before, date, f) == 1;
		};
	}

	/** Whole periods of {@code f} from {@code a} to {@code b}. */
	private static long periods(LocalDate a, LocalDate b, Frequency f) {
		return switch (f) {
			case BUSINESS_DAY -> businessDays(a, b);
			case DAILY -> ChronoUnit.DAYS.between(a, b);
			case WEEKLY -> ChronoUnit.DAYS.between(a, b) % 7 == 0 ? ChronoUnit.DAYS.between(a, b) / 7 : -1;
			case MONTHLY -> months(a, b);
			case QUARTERLY -> months(a, b) % 3 == 0 ? months(a, b) / 3 : -1;
			case YEARLY -> months(a, b) % 12 == 0 ? months(a, b) / 12 : -1;
		};
	}

	private static long months(LocalDate a, LocalDate b) {
		return ChronoUnit.MONTHS.between(YearMonth.from(a), YearMonth.from(b));
	}

	private static long businessDays(LocalDate a, LocalDate b) {
		long days = ChronoUnit.DAYS.between(a, b);
		long weeks = days / 7;
		long count = weeks * 5;
		LocalDate d = a.plusWeeks(weeks);
		while (d.isBefore(b)) {
			d = d.plusDays(1);
			count += weekend(d) ? 0 : 1;
		}
		return count;
	}

	private static boolean weekend(LocalDate date) {
		return date.getDayOfWeek() == DayOfWeek.SATURDAY || date.getDayOfWeek() == DayOfWeek.SUNDAY;
	}

}
