package io.deepserve.dataset;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

import io.deepserve.error.InvalidInputException;

/**
 * The row order a series' time column asks for, oldest first: a newest-first or shuffled file is put in order
 * (stably), two rows of one time are refused, and for calendar dates the frequency is inferred and checked.
 * A time column that holds neither dates nor numbers is kept as written, in file order.
 */
final class SeriesOrder {

	private final int[] order;

	private final List<String> times;

	private final SeriesDates.Frequency frequency;

	private SeriesOrder(int[] order, List<String> times, SeriesDates.Frequency frequency) {
		this.order = order;
		this.times = times;
		this.frequency = frequency;
	}

	static SeriesOrder of(List<String> times, String column) {
		List<LocalDate> dates = SeriesDates.parseAll(times);
		if (dates != null) {
			int[] order = sorted(times.size(), Comparator.comparing(dates::get));
			List<LocalDate> ordered = IntStream.of(order).mapToObj(dates::get).toList();
			String what = "the date column '" + column + "'";
			SeriesDates.check(ordered, null, what);
			SeriesDates.Frequency frequency = SeriesDates.infer(ordered);
			SeriesDates.check(ordered, frequency, what);
			return new SeriesOrder(identity(order) ? null : order, reorder(times, order), frequency);
		}
		double[] numbers = numbers(times);
		if (numbers != null) {
			int[] order = sorted(times.size(), Comparator.comparingDouble(i -> numbers[i]));
			for (int i = 1; i < order.length; i++) {
				if (numbers[order[i]] == numbers[order[i - 1]]) {
					throw new InvalidInputException("duplicate_dates", "the time column '" + column + "' holds "
							+ times.get(order[i]) + " twice");
				}
			}
			return new SeriesOrder(identity(order) ? null : order, reorder(times, order), null);
		}
		return new SeriesOrder(null, times, null);
	}

	/** The column in time order. */
	double[] apply(double[] column) {
		if (order == null) {
			return column;
		}
		double[] ordered = new double[column.length];
		for (int i = 0; i < order.length; i++) {
			ordered[i] = column[order[i]];
		}
		return ordered;
	}

	List<String> times() {
		return times;
	}

	/** The inferred frequency's word, or null. */
	String frequency() {
		return frequency == null ? null : frequency.word();
	}

	private static int[] sorted(int n, Comparator<Integer> by) {
		return IntStream.range(0, n).boxed().sorted(by).mapToInt(Integer::intValue).toArray();
	}

	private static boolean identity(int[] order) {
		for (int i = 0; i < order.length; i++) {
			if (order[i] != i) {
				return false;
			}
		}
		return true;
	}

	private static List<String> reorder(List<String> times, int[] order) {
		List<String> ordered = new ArrayList<>(times.size());
		for (int i : order) {
			ordered.add(times.get(i));
		}
		return ordered;
	}

	private static double[] numbers(List<String> times) {
		double[] numbers = new double[times.size()];
		for (int i = 0; i < numbers.length; i++) {
			try {
				numbers[i] = Double.parseDouble(times.get(i));
			}
			catch (NumberFormatException ex) {
				return null;
			}
			if (!Double.isFinite(numbers[i])) {
				return null;
			}
		}
		return numbers;
	}

}
