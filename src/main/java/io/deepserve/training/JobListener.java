package io.deepserve.training;

/** What a training loop tells the job about itself, and asks it between batches. */
public interface JobListener {

	void progress(TrainingJob.Progress progress);

	void epoch(TrainingJob.EpochResult result);

	/** One training batch of {@code samples} examples took {@code nanos} and had {@code loss}; for metrics. */
	default void batch(int samples, long nanos, double loss) {
	}

	/** Checked between batches; when true the loop throws {@link JobCancelledException}. */
	boolean cancelRequested();

}
