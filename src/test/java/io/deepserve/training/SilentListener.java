package io.deepserve.training;

/** A job listener that hears nothing and never cancels, for tests that run the training loop for its effect. */
final class SilentListener implements JobListener {

	@Override
	public void progress(TrainingJob.Progress progress) {
	}

	@Override
	public void epoch(TrainingJob.EpochResult result) {
	}

	@Override
	public boolean cancelRequested() {
		return false;
	}

}
