package io.deepserve.inference;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The measured search for a version's serving settings: which workers, threads per worker, batch size and memory
 * order give the most items a second on this machine. Which one wins depends on the box (BENCHMARKS.md, "Serving
 * settings tuned at load"): one machine served ResNet-18 fastest with one predictor at batch 1, another with two at
 * batch 8. Knows nothing of models: a {@link Trial} measures a candidate.
 * <p>
 * Batch sizes smallest first; at each, every worker count, thread count and memory order on offer, so that more
 * workers are measured early, before the budget goes on large batches (a first version swept one worker's batch
 * sizes first, and on a busy 2-core machine spent its whole budget there, while two workers were faster there). The
 * sweep stops at the first batch size whose best is under four fifths of the best so far (or where every candidate
 * failed). Each candidate is measured once; one that fails is listed with its error and skipped; once the budget is
 * spent the rest are listed unmeasured. Of equal rates the earlier (smaller batch, fewer workers) wins.
 */
final class ServingSearch {

	/** A batch size whose best is below this share of the best so far ends the sweep. */
	static final double SWEEP_STOP = 0.8;

	/**
	 * One configuration: {@code threads} per worker (0: the engine's), batches of up to {@code maxBatchSize}, in
	 * channels-last order from {@code channelsLastFromBatch} images (0: never).
	 */
	record Candidate(int workers, int threads, int maxBatchSize, int channelsLastFromBatch) {

		boolean channelsLast() {
			return channelsLastFromBatch > 0 && maxBatchSize >= channelsLastFromBatch;
		}

		/** For the health details and the log: what a reader needs, by name. */
		Map<String, Object> describe() {
			Map<String, Object> out = new LinkedHashMap<>();
			out.put("workers", workers);
			out.put("threads", threads);
			out.put("maxBatchSize", maxBatchSize);
			out.put("channelsLastFromBatch", channelsLastFromBatch);
			return out;
		}

		@Override
		public String toString() {
			return workers + "x" + (threads == 0 ? "all" : threads) + " threads, batch " + maxBatchSize
					+ (channelsLast() ? " channels-last" : "");
		}
	}

	/** What one candidate did: its rate, or why there is none. */
	record Row(Candidate candidate, double itemsPerSecond, String error) {

		boolean measured() {
			return error == null;
		}

		Map<String, Object> describe() {
			Map<String, Object> out = candidate.describe();
			if (measured()) {
				out.put("itemsPerSecond", Math.round(itemsPerSecond * 10) / 10.0);
			}
			else {
				out.put("error", error);
			}
			return out;
		}
	}

	/** Measures a candidate's throughput in items a second; throws if it cannot run. */
	@FunctionalInterface
	interface Trial {

		double itemsPerSecond(Candidate candidate) throws Exception;

	}

	/**
	 * Where the search may go: each list holds the values to try for one setting, one value where that setting is
	 * fixed. {@code threads} are tried for one worker as given; for more workers also the cores shared out between
	 * them where {@code shareCores} is more than 0.
	 * @param layouts channels-last thresholds to try (0: plain only)
	 */
	record Space(List<Integer> workers, List<Integer> threads, List<Integer> batchSizes, List<Integer> layouts,
			int shareCores) {

		List<Integer> threadsFor(int workerCount) {
			List<Integer> out = new ArrayList<>(threads);
			if (workerCount > 1 && shareCores > 0) {
				int shared = Math.max(1, shareCores / workerCount);
				if (!out.contains(shared) && shared < shareCores) {
					out.add(shared);
				}
			}
			return out;
		}

		/** Layouts that make a difference at this batch size: channels-last only where batches reach it. */
		List<Integer> layoutsFor(int batch) {
			List<Integer> out = new ArrayList<>();
			List<Boolean> orders = new ArrayList<>();
			for (int threshold : layouts) {
				// a threshold above the batch runs it plain, as 0 does: the same candidate, measured once
				boolean channelsLast = threshold > 0 && batch >= threshold;
				if (!orders.contains(channelsLast)) {
					orders.add(channelsLast);
					out.add(threshold);
				}
			}
			return out;
		}

		int candidates() {
			int perWorkers = 0;
			for (int b : batchSizes) {
				perWorkers += layoutsFor(b).size();
			}
			int total = 0;
			for (int w : workers) {
				total += threadsFor(w).size() * perWorkers;
			}
			return total;
		}
	}

	/**
	 * What the search found. {@code chosen} is the fastest measured candidate, null when none could be measured.
	 * @param table every candidate in the order tried
	 */
	record Result(Candidate chosen, List<Row> table, long tookMillis) {
	}

	private final Trial trial;

	private final LongSupplier nanoClock;

	private final long budgetNanos;

	ServingSearch(Trial trial, LongSupplier nanoClock, long budgetNanos) {
		this.trial = trial;
		this.nanoClock = nanoClock;
		this.budgetNanos = budgetNanos;
	}

	Result search(Space space) {
		long start = nanoClock.getAsLong();
		List<Row> table = new ArrayList<>();
		double best = 0;
		for (int batch : space.batchSizes()) {
			double bestHere = 0;
			for (int workers : space.workers()) {
				for (int threads : space.threadsFor(workers)) {
					for (int layout : space.layoutsFor(batch)) {
						Row row = measure(new Candidate(workers, threads, batch, layout), start);
						table.add(row);
						if (row.measured()) {
							bestHere = Math.max(bestHere, row.itemsPerSecond());
						}
					}
				}
			}
			if (best > 0 && bestHere < SWEEP_STOP * best) {
				break;
			}
			best = Math.max(best, bestHere);
		}
		Candidate chosen = table.stream()
			.filter(Row::measured)
			// of equal rates the first tried wins
			.reduce((a, b) -> b.itemsPerSecond() > a.itemsPerSecond() ? b : a)
			.map(Row::candidate)
			.orElse(null);
		return new Result(chosen, List.copyOf(table), (nanoClock.getAsLong() - start) / 1_000_000);
	}

	private Row measure(Candidate candidate, long start) {
		if (nanoClock.getAsLong() - start >= budgetNanos) {
			return new Row(candidate, 0, "not measured: the search's budget was spent");
		}
		try {
			double rate = trial.itemsPerSecond(candidate);
			if (!(rate > 0) || Double.isInfinite(rate)) {
				return new Row(candidate, 0, "measured no throughput (" + rate + ")");
			}
			return new Row(candidate, rate, null);
		}
		catch (Exception | Error ex) {
			if (ex instanceof InterruptedException) {
				Thread.currentThread().interrupt();
			}
			String why = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
			return new Row(candidate, 0, "failed: " + why);
		}
	}

	/** The rows sorted fastest first, for a reader. */
	static List<Row> fastestFirst(List<Row> table) {
		return table.stream()
			.sorted(Comparator.comparing(Row::measured).reversed()
				.thenComparing(Comparator.comparingDouble(Row::itemsPerSecond).reversed()))
			.toList();
	}

}
