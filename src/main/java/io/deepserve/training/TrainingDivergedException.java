package io.deepserve.training;

/**
 * Thrown by the training loop when a batch's loss is not a finite number: the weights are no longer worth keeping,
 * so the job fails with this message rather than registering a network that answers NaN.
 */
public class TrainingDivergedException extends RuntimeException {

	public TrainingDivergedException(int epoch, int batch, float loss) {
		super("training diverged: the loss of epoch " + epoch + ", batch " + batch + " is " + loss
				+ "; nothing was registered. Lower the learningRate (or, for a DenseNet, use a growthRate that is a"
				+ " multiple of 8: see README)");
	}

}
