package io.deepserve.training.forecast;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import io.deepserve.dataset.SeriesTable;
import io.deepserve.task.forecast.ForecastCodec;
import io.deepserve.training.Hyperparameters;
import io.deepserve.training.forecast.ForecastTrainer.Samples;

/**
 * The series of a global model: each cut in time order, scaled on its own training rows and windowed on its own,
 * exactly as a single-series job would, and then their windows pooled so that one network trains on all of them.
 */
final class Panel {

	/** One series, prepared as a single-series job prepares its target. */
	record Member(String name, double[] column, ChronologicalSplit split, Scaler scaler, ForecastCodec codec,
			Samples train, Samples validation, Samples holdout) {
	}

	private final List<Member> members;

	private Panel(List<Member> members) {
		this.members = members;
	}

	static Panel of(SeriesTable table, List<String> targets, Hyperparameters hp) {
		boolean logReturns = ForecastCodec.LOG_RETURNS.equals(hp.targetTransform());
		int lag = ForecastCodec.lag(hp.targetTransform());
		List<Member> members = new ArrayList<>();
		for (String target : targets) {
			double[][] columns = { table.column(target) };
			ChronologicalSplit split = ChronologicalSplit.of(columns[0].length, hp.window(), hp.horizon(), lag,
					hp.validationSplit(), hp.holdoutSplit());
			Scaler scaler = Scaler.fit(columns, split.trainEnd(), lag, logReturns);
			ForecastCodec codec = new ForecastCodec(hp.window(), hp.horizon(), hp.targetTransform(), scaler.mean(),
					scaler.std());
			members.add(new Member(target, columns[0], split, scaler, codec,
					ForecastTrainer.samples(columns, codec, split.trainFrom(), split.trainTo(), logReturns),
					ForecastTrainer.samples(columns, codec, split.validationFrom(), split.validationTo(), logReturns),
					ForecastTrainer.samples(columns, codec, split.holdoutFrom(), split.holdoutTo(), logReturns)));
		}
		return new Panel(List.copyOf(members));
	}

	List<Member> members() {
		return members;
	}

	/** One part of every series, one after another; its {@code ends} are each series' own rows. */
	Samples pooled(Function<Member, Samples> part) {
		int n = 0;
		int inputs = 0;
		int targets = 0;
		for (Member member : members) {
			Samples samples = part.apply(member);
			n += samples.size();
			inputs += samples.inputs().length;
			targets += samples.targets().length;
		}
		int[] ends = new int[n];
		float[] allInputs = new float[inputs];
		float[] allTargets = new float[targets];
		n = 0;
		inputs = 0;
		targets = 0;
		for (Member member : members) {
			Samples samples = part.apply(member);
			System.arraycopy(samples.ends(), 0, ends, n, samples.size());
			System.arraycopy(samples.inputs(), 0, allInputs, inputs, samples.inputs().length);
			System.arraycopy(samples.targets(), 0, allTargets, targets, samples.targets().length);
			n += samples.size();
			inputs += samples.inputs().length;
			targets += samples.targets().length;
		}
		return new Samples(ends, allInputs, allTargets);
	}

	/** The pooled holdout's forecasts cut back into each series' own, in member order. */
	List<float[][]> holdoutOf(float[][] pooled) {
		return cut(pooled, Member::holdout);
	}

	/** The pooled validation forecasts cut back into each series' own, in member order. */
	List<float[][]> validationOf(float[][] pooled) {
		return cut(pooled, Member::validation);
	}

	private List<float[][]> cut(float[][] pooled, Function<Member, Samples> part) {
		List<float[][]> each = new ArrayList<>();
		int from = 0;
		for (Member member : members) {
			int n = part.apply(member).size();
			float[][] rows = new float[n][];
			System.arraycopy(pooled, from, rows, 0, n);
			each.add(rows);
			from += n;
		}
		return each;
	}

}
