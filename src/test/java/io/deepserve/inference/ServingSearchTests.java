package io.deepserve.inference;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.deepserve.inference.ServingSearch.Candidate;
import io.deepserve.inference.ServingSearch.Result;
import io.deepserve.inference.ServingSearch.Row;
import io.deepserve.inference.ServingSearch.Space;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The search's choice logic, with a made-up rate per candidate and a made-up clock, so what it picks and what it
 * tries are fixed: no timing here.
 */
class ServingSearchTests {

	/** Two cores: one worker or two, each with every core or one; four batch sizes; plain or channels-last from 4. */
	private static final Space SPACE = new Space(List.of(1, 2), List.of(0), List.of(1, 4, 8, 16), List.of(0, 4), 2);

	private final AtomicLong now = new AtomicLong();

	private final List<Candidate> tried = new ArrayList<>();

	@Test
	void picksTheFastestMeasuredCandidateWhereTwoWorkersAtBatchEightWin() {
		// the machine: one predictor best at batch 1 (43), two at batch 8 (62)
		Result result = search(Long.MAX_VALUE, c -> rate(c, Map.of(1, 43.0, 4, 41.0, 8, 38.0, 16, 18.0),
				c.workers() == 2 && c.maxBatchSize() == 8 && c.threads() == 1 ? 62.0 : 0));
		assertThat(result.chosen()).isEqualTo(new Candidate(2, 1, 8, 0));
		double best = result.table().stream().mapToDouble(Row::itemsPerSecond).max().orElseThrow();
		assertThat(result.table()).filteredOn(row -> row.candidate().equals(result.chosen()))
			.singleElement()
			.extracting(Row::itemsPerSecond)
			.isEqualTo(best);
		// each batch size with both worker counts (two with every core and with one each) before the next size,
		// so two workers are measured before the budget goes on large batches
		assertThat(tried.indexOf(new Candidate(2, 1, 1, 0))).isLessThan(tried.indexOf(new Candidate(1, 0, 4, 0)));
		assertThat(tried).filteredOn(c -> c.workers() == 2).extracting(Candidate::threads).containsOnly(0, 1);
		// batch 16 (18) fell below 0.8 of the best (62): nothing larger would be tried, and it is last
		assertThat(tried.get(tried.size() - 1).maxBatchSize()).isEqualTo(16);
	}

	@Test
	void channelsLastIsTriedOnlyWhereBatchesReachItsThresholdAndChosenWhenFaster() {
		Result result = search(Long.MAX_VALUE, c -> c.workers() == 1 ? (c.channelsLast() ? 50.0 : 40.0) : 10.0);
		assertThat(tried).filteredOn(c -> c.workers() == 1 && c.maxBatchSize() == 1)
			.extracting(Candidate::channelsLastFromBatch)
			.containsExactly(0);
		assertThat(tried).filteredOn(c -> c.workers() == 1 && c.maxBatchSize() == 8)
			.extracting(Candidate::channelsLastFromBatch)
			.containsExactly(0, 4);
		// equal rates: the first tried, the smallest batch, wins
		assertThat(result.chosen()).isEqualTo(new Candidate(1, 0, 4, 4));
	}

	@Test
	void aSweepStopsAtTheFirstBatchSizeWellBelowTheBest() {
		search(Long.MAX_VALUE, c -> rate(c, Map.of(1, 40.0, 4, 20.0, 8, 100.0, 16, 100.0), 0));
		assertThat(tried).extracting(Candidate::maxBatchSize).containsOnly(1, 4);
	}

	@Test
	void aFailingCandidateIsListedWithItsErrorAndNotChosen() {
		Result result = search(Long.MAX_VALUE, c -> {
			if (c.maxBatchSize() == 8) {
				throw new IllegalStateException("out of memory at batch 8");
			}
			return rate(c, Map.of(1, 10.0, 4, 12.0, 8, 0.0, 16, 11.0), 0);
		});
		assertThat(result.table()).filteredOn(row -> row.candidate().maxBatchSize() == 8)
			.isNotEmpty()
			.allSatisfy(row -> assertThat(row.error()).contains("out of memory at batch 8"));
		assertThat(result.chosen()).isEqualTo(new Candidate(1, 0, 4, 0));
	}

	@Test
	void nothingMeasurableChoosesNothing() {
		Result result = search(Long.MAX_VALUE, c -> {
			throw new IllegalStateException("no");
		});
		assertThat(result.chosen()).isNull();
		assertThat(result.table()).isNotEmpty().noneMatch(Row::measured);
	}

	@Test
	void candidatesPastTheBudgetAreListedUnmeasured() {
		// each measurement takes a made-up second; the budget holds three
		Result result = search(3_000_000_000L, c -> {
			now.addAndGet(1_000_000_000L);
			return c.maxBatchSize() + c.workers() * 0.1 + c.threads() * 0.01 + (c.channelsLast() ? 0.5 : 0);
		});
		assertThat(tried).hasSize(3);
		assertThat(result.table().stream().filter(Row::measured).count()).isEqualTo(3);
		assertThat(result.table()).filteredOn(row -> !row.measured())
			.isNotEmpty()
			.allSatisfy(row -> assertThat(row.error()).contains("budget"));
		assertThat(result.chosen()).isEqualTo(tried.get(2));
		assertThat(result.tookMillis()).isEqualTo(3_000);
	}

	@Test
	void fixedSettingsAreNotVaried() {
		Space fixed = new Space(List.of(2), List.of(1), List.of(1, 8), List.of(0), 0);
		assertThat(fixed.candidates()).isEqualTo(2);
		search(fixed, Long.MAX_VALUE, c -> 1.0);
		assertThat(tried).extracting(Candidate::workers).containsOnly(2);
		assertThat(tried).extracting(Candidate::threads).containsOnly(1);
		assertThat(tried).extracting(Candidate::channelsLastFromBatch).containsOnly(0);
	}

	/** The rate for one worker by batch, the better layout and the second worker adding nothing unless given. */
	private static double rate(Candidate c, Map<Integer, Double> oneWorker, double twoWorkers) {
		return c.workers() == 1 ? oneWorker.get(c.maxBatchSize()) : twoWorkers;
	}

	private Result search(long budgetNanos, ServingSearch.Trial trial) {
		return search(SPACE, budgetNanos, trial);
	}

	private Result search(Space space, long budgetNanos, ServingSearch.Trial trial) {
		return new ServingSearch(c -> {
			tried.add(c);
			return trial.itemsPerSecond(c);
		}, now::get, budgetNanos).search(space);
	}

}
