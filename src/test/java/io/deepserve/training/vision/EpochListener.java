package io.deepserve.training.vision;

import java.util.ArrayList;
import java.util.List;

import io.deepserve.training.JobListener;
import io.deepserve.training.TrainingJob;

/** Keeps a job's epoch results; never cancels. */
final class EpochListener implements JobListener {

	final List<TrainingJob.EpochResult> epochs = new ArrayList<>();

	@Override
	public void progress(TrainingJob.Progress progress) {
	}

	@Override
	public void epoch(TrainingJob.EpochResult result) {
		epochs.add(result);
	}

	@Override
	public boolean cancelRequested() {
		return false;
	}

}
