package io.deepserve.inference.forecast;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** The newest dates of a request's {@code dates}, as {@link SeriesTail} keeps its newest rows, and their count. */
final class DateTail {

	private final int keep;

	private final Deque<String> dates = new ArrayDeque<>();

	private int length;

	DateTail(int keep) {
		this.keep = keep;
	}

	/** @param date null for a value that is not a string */
	void add(String date) {
		if (dates.size() == keep) {
			dates.removeFirst();
		}
		dates.addLast(date == null ? "" : date);
		length++;
	}

	int length() {
		return length;
	}

	/** The kept dates, oldest first. */
	List<String> kept() {
		return new ArrayList<>(dates);
	}

}
