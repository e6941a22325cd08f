package io.deepserve.training;

import java.time.Instant;
import java.util.List;

import io.deepserve.registry.Task;

/** A training job as clients see it; the {@code training_jobs} table holds one row per job. */
public record TrainingJob(String id, String model, Task task, String architecture, String dataset,
		TrainingRequest request, Status status, Progress progress, List<EpochResult> history, String resultModel,
		String error, String device, Instant createdAt, Instant startedAt, Instant finishedAt) {

	public enum Status {

		QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

		boolean finished() {
			return this == SUCCEEDED || this == FAILED || this == CANCELLED;
		}

	}

	/** Where a running job is; {@code fraction} is of the whole job, {@code etaSeconds} null until known. */
	public record Progress(int epoch, int epochs, int batch, int batches, double fraction, Long etaSeconds) {
	}

	/** One finished epoch; the accuracies are null for tasks that have none (forecasting). */
	public record EpochResult(int epoch, double trainLoss, double valLoss, Double trainAccuracy, Double valAccuracy) {
	}

}
