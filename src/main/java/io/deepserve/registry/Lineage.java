package io.deepserve.registry;

/**
 * Where a version came from; every field may be null (an imported model has no job).
 *
 * @param transfer how a transfer job used its base; null for versions trained from scratch, imported, or trained
 * before it was recorded
 */
public record Lineage(String trainingJobId, String datasetId, String datasetSha256, String baseModel,
		Transfer transfer) {

	public Lineage(String trainingJobId, String datasetId, String datasetSha256, String baseModel) {
		this(trainingJobId, datasetId, datasetSha256, baseModel, null);
	}

	/**
	 * What a transfer job did with its base, enough to rebuild the version's network.
	 * @param mode {@code feature-extraction} or {@code fine-tune}
	 * @param cutAt the stage the network ends at before its pooling and head (taken over from a base that was cut
	 * itself); null when the base's whole body was kept
	 * @param trainableStages, trainableLayers what fine-tuned; both null for the whole base
	 * @param baseLearningRateFactor the fine-tuned base's rate as a fraction of the head's
	 * @param featureOutput a TorchScript base's submodule whose final linear layer was made an identity, so that
	 * the head reads that layer's {@code featureWidth} inputs; null when the module was kept whole
	 * @param classifier in words, for a TorchScript base: which classifier was cut, or why none was
	 */
	public record Transfer(String mode, String cutAt, Integer trainableStages, Integer trainableLayers,
			Float baseLearningRateFactor, String featureOutput, Integer featureWidth, String classifier) {
	}

}
