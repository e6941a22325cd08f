package io.deepserve.inference;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-checks under load what a version's tuning search chose at load ({@code deepserve.inference.recheck-interval}).
 * The search measured its candidates on a quiet replica with the warm-up input; real traffic, other versions beside
 * it and other work on the machine can make another candidate faster. A version is re-checked only while its pool is
 * saturated (requests wait, or every worker it may have is busy), since only then does the rate it answers at measure
 * its settings rather than the traffic: it serves one window with its settings, one with the fastest other candidate
 * of its load-time table (on a new pool of the same model, which takes over without refusing a request), and keeps
 * the other only if it answered more than {@link #MARGIN} times as many requests a second, saturated throughout.
 */
final class ServingRecheck {

	private static final Logger log = LoggerFactory.getLogger(ServingRecheck.class);

	/** How much faster the other candidate must serve to be kept: more than speed drifts between two windows. */
	static final double MARGIN = 1.05;

	/** The share of a window's samples that must find the pool saturated for the window to count. */
	static final double SATURATED_SHARE = 0.9;

	private static final Duration SAMPLE = Duration.ofMillis(100);

	/** A loaded version as a re-check sees it. */
	interface Subject {

		String ref();

		/** The settings its pool runs with now. */
		PoolSettings settings();

		/** What its search did at load; null where its task does not tune. */
		ServingTuner.Tuning tuning();

		/** Whether its pool is saturated now: requests wait, or all the workers it may have are busy. */
		boolean saturated();

		/** Requests its current pool has answered. */
		long answered();

		/** Serves with {@code next} from now on (see {@link LoadedModel#reconfigure}). */
		void reconfigure(PoolSettings next);

	}

	/**
	 * What one re-check found. {@code status}: {@code kept} (the settings served on), {@code switched} (the other
	 * candidate served faster and stays), {@code not-saturated} (nothing measured: the pool kept up),
	 * {@code no-alternative} (the load-time table has no other measured candidate), {@code failed}. {@code serving}:
	 * the settings it serves with after the re-check; the rates are requests answered a second, null where not
	 * measured.
	 */
	record Result(String status, String detail, Map<String, Object> serving, Map<String, Object> alternative,
			Double servingPerSecond, Double alternativePerSecond, Instant at) {
	}

	/** Waits between samples; a test's clock moves instead. */
	interface Sleeper {

		void sleep(Duration duration) throws InterruptedException;

	}

	private final Duration window;

	private final LongSupplier nanoTime;

	private final Sleeper sleeper;

	ServingRecheck(Duration window) {
		this(window, System::nanoTime, d -> Thread.sleep(d.toMillis()));
	}

	ServingRecheck(Duration window, LongSupplier nanoTime, Sleeper sleeper) {
		this.window = window;
		this.nanoTime = nanoTime;
		this.sleeper = sleeper;
	}

	/** @return what it found; null for a version whose settings were not tuned at load (nothing to re-check) */
	Result recheck(Subject subject) throws InterruptedException {
		ServingTuner.Tuning tuning = subject.tuning();
		if (tuning == null || !"tuned".equals(tuning.status())) {
			return null;
		}
		PoolSettings serving = subject.settings();
		PoolSettings other = alternative(tuning.table(), serving);
		if (other == null) {
			return result("no-alternative", "the load-time table has no other measured candidate", serving, null,
					Double.NaN, Double.NaN);
		}
		Window before = measure(subject);
		if (!before.saturated()) {
			return result("not-saturated", "the pool kept up with its requests (saturated in " + before.percent()
					+ "% of the window), so its rate measures the traffic, not its settings", serving, other,
					before.perSecond(), Double.NaN);
		}
		try {
			subject.reconfigure(other);
		}
		catch (RuntimeException ex) {
			log.warn("{}: the re-check could not start a pool with {}: {}", subject.ref(), describe(other),
					ex.getMessage());
			return result("failed", "a pool with the other settings could not start: " + ex.getMessage(), serving,
					other, before.perSecond(), Double.NaN);
		}
		Window after = measure(subject);
		if (after.saturated() && after.perSecond() > before.perSecond() * MARGIN) {
			return result("switched", String.format("%.1f requests/s against %.1f with the settings it had",
					after.perSecond(), before.perSecond()), other, serving, after.perSecond(), before.perSecond());
		}
		subject.reconfigure(serving);
		return result("kept", after.saturated() ? String.format("the other candidate answered %.1f requests/s "
				+ "against %.1f, not more than %.0f%% faster", after.perSecond(), before.perSecond(), 100 * (MARGIN - 1))
				: "the other candidate's window was not saturated (" + after.percent() + "%), so it was not compared",
				serving, other, before.perSecond(), after.perSecond());
	}

	/** The fastest measured candidate of the table whose settings are not {@code serving}'s; null where none. */
	static PoolSettings alternative(List<Map<String, Object>> table, PoolSettings serving) {
		for (Map<String, Object> row : table) {
			if (!(row.get("itemsPerSecond") instanceof Number)) {
				continue;
			}
			PoolSettings candidate = serving.with(number(row, ServingTuner.WORKERS), number(row, ServingTuner.THREADS),
					number(row, ServingTuner.MAX_BATCH_SIZE), number(row, ServingTuner.CHANNELS_LAST));
			if (!candidate.equals(serving)) {
				return candidate;
			}
		}
		return null;
	}

	private static int number(Map<String, Object> row, String key) {
		return ((Number) row.get(key)).intValue();
	}

	private Window measure(Subject subject) throws InterruptedException {
		long from = nanoTime.getAsLong();
		long answeredFrom = subject.answered();
		int samples = 0;
		int saturated = 0;
		while (nanoTime.getAsLong() - from < window.toNanos()) {
			sleeper.sleep(SAMPLE);
			samples++;
			if (subject.saturated()) {
				saturated++;
			}
		}
		double seconds = (nanoTime.getAsLong() - from) / 1e9;
		return new Window((subject.answered() - answeredFrom) / seconds, samples == 0 ? 0 : (double) saturated / samples);
	}

	private static Result result(String status, String detail, PoolSettings serving, PoolSettings alternative,
			double servingPerSecond, double alternativePerSecond) {
		return new Result(status, detail, describe(serving), alternative == null ? null : describe(alternative),
				round(servingPerSecond), round(alternativePerSecond), Instant.now());
	}

	/** The settings a search chooses, named as in its table. */
	static Map<String, Object> describe(PoolSettings settings) {
		return new ServingSearch.Candidate(settings.workers(), settings.threads(), settings.maxBatchSize(),
				settings.channelsLastFromBatch()).describe();
	}

	/** To a tenth; null where not measured (NaN is no JSON number). */
	private static Double round(double perSecond) {
		return Double.isNaN(perSecond) ? null : Math.round(perSecond * 10) / 10.0;
	}

	/** One window: requests answered a second, and the share of samples that found the pool saturated. */
	private record Window(double perSecond, double saturatedShare) {

		boolean saturated() {
			return saturatedShare >= SATURATED_SHARE;
		}

		long percent() {
			return Math.round(100 * saturatedShare);
		}

	}

}
