package io.deepserve.training;

/** What a training loop tells the job about itself, and asks it between batches. */
public interface JobListener {

	void progress(TrainingJob.Progress progress);

	void epoch(TrainingJob.EpochResult result);

	/** Checked between batches; when true the loop throws {@link JobCancelledException}. */
	boolean cancelRequested();

}
