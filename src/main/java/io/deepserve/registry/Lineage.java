package io.deepserve.registry;

/** Where a version came from; every field may be null (an imported model has no job). */
public record Lineage(String trainingJobId, String datasetId, String datasetSha256, String baseModel) {
}
