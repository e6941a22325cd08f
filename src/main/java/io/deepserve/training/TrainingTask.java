package io.deepserve.training;

import java.io.IOException;
import java.nio.file.Path;

import ai.djl.Device;

import io.deepserve.dataset.Dataset;
import io.deepserve.error.InvalidInputException;
import io.deepserve.registry.NewModelVersion;
import io.deepserve.registry.Task;

/**
 * What a task (image classification, forecasting, ...) plugs into training: one bean per task checks a request
 * before it is queued and trains a queued job into a model, in the {@link TrainingLoop}. {@link TrainingWorkers}
 * bring the queue, the lease and the registration; serving the result is the task's
 * {@link io.deepserve.inference.ServingTask}.
 */
public interface TrainingTask {

	/** The {@code task} of the requests this trains and of the versions it produces. */
	Task task();

	/**
	 * Checks a request completely against its dataset, so that a queued job fails only for reasons found while
	 * training. The device and a base model are checked before this.
	 * @return the dataset the job reads
	 */
	Dataset validate(TrainingRequest request);

	/**
	 * Pins a request's {@code baseModel} to the exact version it will train from, checking that the base fits;
	 * image classification's bases are checked by {@link TrainingJobs} itself.
	 * @return the request as the job will run it
	 */
	default TrainingRequest pinBase(TrainingRequest request) {
		throw new InvalidInputException("invalid_transfer", "a baseModel cannot be given for " + task());
	}

	/**
	 * Trains a job on {@code device}, writing under {@code work}.
	 * @throws JobCancelledException when the listener asks for it between batches
	 */
	TrainedModel train(TrainingJob job, Device device, Path work, JobListener listener) throws IOException;

	/**
	 * A job's result, ready to register.
	 * @param modelDir the saved model's folder, registered as a DJL model zip
	 */
	record TrainedModel(NewModelVersion spec, Path modelDir) {
	}

}
