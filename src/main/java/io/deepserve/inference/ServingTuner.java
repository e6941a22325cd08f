package io.deepserve.inference;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntSupplier;

import ai.djl.Model;

import io.deepserve.config.DeepserveProperties;
import io.deepserve.registry.ModelVersion;

/**
 * Tunes a version's serving settings at load ({@code deepserve.inference.autotune}): a {@link ServingSearch} over
 * the settings that neither the version's {@code serving} metadata nor an explicitly set property fixes, measured
 * with the version's own warm-up input through real predictors. One search at a time in the process, and none while
 * other loaded versions are answering requests: on a busy replica a search would measure the others' traffic as
 * much as its candidates, so the version then starts with its configured settings, and says so.
 */
final class ServingTuner {

	/** The batch sizes a search tries where the batch size is not fixed. */
	static final List<Integer> BATCH_SIZES = List.of(1, 4, 8, 16);

	/** How long a search waits for other versions' requests to finish before it gives up for this load. */
	private static final Duration QUIET_WAIT = Duration.ofSeconds(2);

	/** The {@code serving} keys and property names a search may set, as written in a version's metadata. */
	static final String WORKERS = "workers";

	static final String THREADS = "threads";

	static final String MAX_BATCH_SIZE = "maxBatchSize";

	static final String CHANNELS_LAST = "channelsLastFromBatch";

	/**
	 * What tuning did for one version. {@code status}: {@code tuned}; {@code off} (the property is false);
	 * {@code fixed} (every setting it could tune is set); {@code skipped} (other versions were busy); {@code failed}
	 * (no candidate could run). {@code chosen}: the settings the pool started with.
	 */
	record Tuning(String status, String detail, Map<String, Object> chosen, List<Map<String, Object>> table,
			long tookMillis) {
	}

	private final DeepserveProperties.Inference settings;

	/** Settings fixed by explicitly set {@code deepserve.inference.*} properties, by their {@code serving} keys. */
	private final Set<String> fixedByProperties;

	private final int cores;

	private final long quietWaitNanos;

	ServingTuner(DeepserveProperties.Inference settings, Set<String> fixedByProperties, int cores) {
		this(settings, fixedByProperties, cores, QUIET_WAIT);
	}

	ServingTuner(DeepserveProperties.Inference settings, Set<String> fixedByProperties, int cores,
			Duration quietWait) {
		this.settings = settings;
		this.fixedByProperties = fixedByProperties;
		this.cores = cores;
		this.quietWaitNanos = quietWait.toNanos();
	}

	/**
	 * The settings to start {@code version}'s pool with, and what tuning did; null where its task does not tune.
	 * @param othersInFlight how many other loaded versions hold requests now
	 */
	synchronized <I, O> Tuned tune(Model model, ServingTask<I, O> task, ModelVersion version, PoolSettings base,
			IntSupplier othersInFlight) {
		if (!task.autotunes()) {
			return new Tuned(base, null);
		}
		int layoutBase = base.channelsLastFromBatch() >= 0 ? base.channelsLastFromBatch()
				: task.channelsLastFromBatch();
		ServingSearch.Candidate configured = new ServingSearch.Candidate(base.workers(), base.threads(),
				base.maxBatchSize(), layoutBase);
		if (!settings.autotune()) {
			return untuned(base, configured, "off", "deepserve.inference.autotune is false");
		}
		ServingSearch.Space space = space(model, task, version, base, layoutBase);
		if (space.candidates() <= 1) {
			return untuned(base, configured, "fixed", "every setting a search could choose is set explicitly");
		}
		long waitUntil = System.nanoTime() + quietWaitNanos;
		while (othersInFlight.getAsInt() > 0 && System.nanoTime() - waitUntil < 0) {
			sleep();
		}
		int busy = othersInFlight.getAsInt();
		if (busy > 0) {
			return untuned(base, configured, "skipped", busy + " other loaded versions were answering requests,"
					+ " which a search would measure as much as its candidates");
		}
		Duration budget = settings.autotuneBudget();
		// room for each candidate's untimed first batch beside its timed window
		long windowMillis = Math.max(100, Math.min(400, budget.toMillis() / Math.max(1, 2 * space.candidates())));
		ServingSearch search = new ServingSearch(new MeasuredTrial<>(model, task, version,
				Duration.ofMillis(windowMillis)), System::nanoTime, budget.toNanos());
		return choose(base, configured, search.search(space));
	}

	/** The pool's settings from a search's result; its configured ones where nothing could be measured. */
	static Tuned choose(PoolSettings base, ServingSearch.Candidate configured, ServingSearch.Result result) {
		List<Map<String, Object>> table = ServingSearch.fastestFirst(result.table())
			.stream()
			.map(ServingSearch.Row::describe)
			.toList();
		ServingSearch.Candidate chosen = result.chosen();
		if (chosen == null) {
			return new Tuned(concrete(base, configured), new Tuning("failed", "no candidate could be measured; serving with the configured "
					+ "settings", configured.describe(), table, result.tookMillis()));
		}
		PoolSettings tuned = base.with(chosen.workers(), chosen.threads(), chosen.maxBatchSize(),
				chosen.channelsLastFromBatch());
		long measured = result.table().stream().filter(ServingSearch.Row::measured).count();
		return new Tuned(tuned, new Tuning("tuned", "fastest of " + measured + " measured candidates: " + chosen,
				chosen.describe(), table, result.tookMillis()));
	}

	/** The configured settings, the memory order named rather than left to the task, so the gauges show it. */
	private static Tuned untuned(PoolSettings base, ServingSearch.Candidate configured, String status,
			String detail) {
		return new Tuned(concrete(base, configured), new Tuning(status, detail, configured.describe(), List.of(), 0));
	}

	private static PoolSettings concrete(PoolSettings base, ServingSearch.Candidate configured) {
		return base.with(configured.workers(), configured.threads(), configured.maxBatchSize(),
				configured.channelsLastFromBatch());
	}

	/** Each setting's values to try: the fixed ones alone, the others over what this machine makes sense of. */
	private <I, O> ServingSearch.Space space(Model model, ServingTask<I, O> task, ModelVersion version,
			PoolSettings base, int layoutBase) {
		Map<String, Object> serving = version.serving() != null ? version.serving() : Map.of();
		List<Integer> workers = fixed(serving, WORKERS) || cores < 2 ? List.of(base.workers())
				: List.of(1, 2);
		boolean threadsFixed = serving.containsKey(THREADS);
		List<Integer> batches = fixed(serving, MAX_BATCH_SIZE) ? List.of(base.maxBatchSize()) : BATCH_SIZES;
		List<Integer> layouts;
		if (!task.offersChannelsLast(model, version) || fixed(serving, CHANNELS_LAST)) {
			layouts = List.of(layoutBase);
		}
		else {
			// the configured threshold, or the one the issue measured where it is configured off
			layouts = List.of(0, layoutBase > 0 ? layoutBase : 4);
		}
		return new ServingSearch.Space(workers, List.of(base.threads()), batches, layouts,
				threadsFixed ? 0 : cores);
	}

	private boolean fixed(Map<String, Object> serving, String key) {
		return serving.containsKey(key) || fixedByProperties.contains(key);
	}

	private static void sleep() {
		try {
			Thread.sleep(20);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted while waiting for quiet to tune", ex);
		}
	}

	/** The settings a pool starts with, and what tuning did to find them (null: its task does not tune). */
	record Tuned(PoolSettings settings, Tuning tuning) {
	}

}
