package io.deepserve.training;

/** Thrown by a training loop that saw its job's cancel flag. */
public class JobCancelledException extends RuntimeException {

	public JobCancelledException() {
		super("cancelled");
	}

}
