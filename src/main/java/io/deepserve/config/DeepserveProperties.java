package io.deepserve.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Every {@code deepserve.*} knob in one tree. Each one is listed in the README's configuration table.
 */
@Validated
@ConfigurationProperties("deepserve")
public record DeepserveProperties(
		@NotNull @DefaultValue("./data") Path dataDir,
		@Valid @DefaultValue Engine engine,
		@Valid @DefaultValue Registry registry,
		@Valid @DefaultValue Datasets datasets,
		@Valid @DefaultValue Training training,
		@Valid @DefaultValue Inference inference,
		@Valid @DefaultValue Security security,
		@Valid @DefaultValue Storage storage,
		@NotNull @DefaultValue({ "serving", "training" }) java.util.Set<Role> roles) {

	/** What a replica does: answer inference requests, run training jobs, or (the default) both. */
	public enum Role {

		SERVING, TRAINING

	}

	public boolean hasRole(Role role) {
		return roles.contains(role);
	}

	/** Where artifacts (model files, dataset files) live: {@code <dataDir>/artifacts}. */
	public Path artifactsDir() {
		return dataDir.resolve("artifacts");
	}

	/** Scratch space that may be wiped at any time: extracted models, DJL's engine cache. */
	public Path cacheDir() {
		return dataDir.resolve("cache");
	}

	/**
	 * @param name deep-learning engine loaded at start
	 * @param loadAtStartup load the engine in the background at start; readiness is DOWN until it has
	 * @param allowSlowBf16 serve {@code serving.precision: bf16} versions even on a CPU where oneDNN has no fast
	 * bfloat16 kernels (no {@code avx512_bf16}, or capped below them): right, and half the weights' memory, but
	 * several times slower than fp32
	 */
	public record Engine(@DefaultValue("PyTorch") String name, @DefaultValue("true") boolean loadAtStartup,
			@DefaultValue("false") boolean allowSlowBf16) {
	}

	/** @param maxArtifactSize largest model artifact accepted by import */
	public record Registry(@NotNull @DefaultValue("2GB") DataSize maxArtifactSize) {
	}

	/**
	 * @param maxUploadSize largest dataset file accepted
	 * @param maxImagePixels largest image (width x height) accepted inside an image dataset
	 * @param maxEntries most files accepted inside one dataset zip
	 * @param maxUncompressedSize most bytes all the files inside one dataset zip may expand to (zip bombs)
	 * @param minSeriesRows fewest data rows a series dataset must have
	 */
	public record Datasets(@NotNull @DefaultValue("1GB") DataSize maxUploadSize,
			@Min(1) @DefaultValue("40000000") long maxImagePixels,
			@Min(1) @DefaultValue("200000") int maxEntries,
			@NotNull @DefaultValue("4GB") DataSize maxUncompressedSize,
			@Min(1) @DefaultValue("10") int minSeriesRows) {
	}

	/**
	 * @param workers training jobs run at the same time; the rest wait QUEUED, oldest first
	 * @param pollInterval how often an idle worker looks for a QUEUED job it was not told about
	 * @param leaseTimeout a RUNNING job whose worker has not renewed its lease for this long is FAILED "worker lost"
	 * by any instance; workers renew every quarter of it
	 * @param instanceId names this instance as the owner of the jobs it runs; empty means host name and data
	 * directory, which stay the same across restarts so a restarted instance fails its own jobs at once
	 * @param featureCacheMaxSize the most memory one feature-extraction job may use to keep its images' base
	 * features (4 bytes per feature per image) so that the frozen base runs once per image; 0 never caches
	 * @param fusedOptimizer the optimizer step updates all parameters in one native call per learning-rate group
	 * where it can; false: DJL's own step, one native update per parameter (for comparison, or if the fused step
	 * misbehaves)
	 * @param prefetch whether an image job decodes and augments each training batch on a thread of its own while
	 * the batch before it trains: {@code auto} on a GPU only (on the CPU the engine's threads use every core, and a
	 * thread beside them made CPU training no faster in the benchmark), {@code always}, or {@code never}
	 */
	public record Training(@Min(1) @DefaultValue("1") int workers,
			@NotNull @DefaultValue("1s") java.time.Duration pollInterval,
			@NotNull @DefaultValue("2m") java.time.Duration leaseTimeout,
			@NotNull @DefaultValue("") String instanceId,
			@NotNull @DefaultValue("512MB") DataSize featureCacheMaxSize,
			@DefaultValue("true") boolean fusedOptimizer, @NotNull @DefaultValue("auto") PrefetchMode prefetch) {
	}

	/**
	 * @param type {@code filesystem} (under the data directory) or {@code s3}
	 */
	public record Storage(@NotNull @DefaultValue("filesystem") StorageType type, @Valid @DefaultValue S3 s3) {
	}

	/** When a training job makes its next batch's input ahead, on a thread of its own. */
	public enum PrefetchMode {

		/** On a GPU, whose training leaves the CPU free; never on the CPU, whose engine threads use every core. */
		AUTO,

		ALWAYS,

		NEVER

	}

	public enum StorageType {

		FILESYSTEM, S3

	}

	/**
	 * An S3-compatible bucket (AWS, MinIO, Ceph). Credentials left empty come from the AWS default chain
	 * (environment, profile, instance or pod role).
	 * @param endpoint the API's URL; empty for AWS itself
	 * @param pathStyleAccess {@code bucket} in the path rather than the host name, as MinIO needs
	 * @param prefix prepended to every key, so one bucket can hold several deployments
	 */
	public record S3(@DefaultValue("") String endpoint, @DefaultValue("us-east-1") String region,
			@DefaultValue("") String bucket, @DefaultValue("") String prefix,
			@DefaultValue("false") boolean pathStyleAccess, @DefaultValue("") String accessKey,
			@DefaultValue("") String secretKey) {
	}

	/**
	 * Serving defaults; a version's {@code serving} map ({@code workers}, {@code queueSize}, {@code maxBatchSize},
	 * {@code maxBatchDelayMs}, {@code timeoutMs}) overrides the first five for that version.
	 * @param workers worker threads per loaded version, each with its own predictor
	 * @param queueSize requests that may wait per loaded version; more are refused with 503 queue_full
	 * @param maxBatchSize most requests one worker runs as one batch
	 * @param maxBatchDelayMs longest a worker waits after the first request for more to fill a batch
	 * @param requestTimeout a request still queued after this is answered 503 deadline_exceeded, not run
	 * @param maxLoadedModels most versions loaded at once; the least recently used is unloaded beyond it
	 * @param maxLoadedBytes most bytes of weights loaded at once, each version counted at its artifact size; the least
	 * recently used is unloaded beyond it; 0 is no limit
	 * @param idleUnloadAfter a version unused this long is unloaded unless an alias points to it; 0 keeps them
	 * @param drainTimeout longest an unloaded or replaced version may take to finish its accepted requests
	 * @param maxImageBytes largest image body accepted by classify
	 * @param maxImagePixels largest image (width x height) accepted by classify, read from the header
	 * @param maxTensorElements most numbers one Open Inference Protocol request may carry
	 * @param channelsLastFromBatch a TorchScript classifier on the CPU gets batches of at least this many images in
	 * channels-last memory order, which its convolutions run faster; 0 is never
	 * @param aliasSyncInterval how often a serving replica looks for changes other replicas made: moved aliases, new
	 * and deleted versions; 0 turns it off
	 * @param aliasWarmupTimeout longest a request moving an alias waits for the new version to load and warm; past
	 * it the alias stays where it was (503 model_loading) while the version goes on loading
	 * @param maxInFlightBytes most request-body bytes all inference requests together may hold at once; beyond it a
	 * request is answered 503 overloaded; 0 is a quarter of the JVM's maximum heap
	 * @param maxConcurrentDecodes images decoded at once for classify and BYTES inputs; 0 is one per CPU
	 * @param decodeWait longest a request waits for a decode slot before it is answered 503 decoder_busy
	 * @param autotune at load, a version whose task tunes (image classifiers) measures candidate workers, threads,
	 * batch sizes and memory orders on this machine and serves with the fastest, for each setting neither its
	 * {@code serving} metadata nor an explicitly set property fixes
	 * @param autotuneBudget longest that search may take per version; candidates not reached are left unmeasured
	 * @param agreementImages held-out images a bf16 or int8 version is compared with fp32 on when it loads
	 * @param recheckInterval how often a tuned version's choice is re-checked under load, while its pool is saturated,
	 * against the fastest other candidate of its load-time table; 0 turns it off
	 * @param recheckWindow how long each of a re-check's two measured windows lasts
	 */
	public record Inference(@Min(1) @DefaultValue("2") int workers, @Min(1) @DefaultValue("64") int queueSize,
			@Min(1) @DefaultValue("8") int maxBatchSize, @Min(0) @DefaultValue("5") int maxBatchDelayMs,
			@NotNull @DefaultValue("30s") java.time.Duration requestTimeout,
			@Min(1) @DefaultValue("4") int maxLoadedModels,
			@NotNull @DefaultValue("0B") DataSize maxLoadedBytes,
			@NotNull @DefaultValue("30m") java.time.Duration idleUnloadAfter,
			@NotNull @DefaultValue("30s") java.time.Duration drainTimeout,
			@NotNull @DefaultValue("16MB") DataSize maxImageBytes,
			@Min(1) @DefaultValue("40000000") long maxImagePixels,
			@Min(1) @DefaultValue("4000000") int maxTensorElements,
			@Min(0) @DefaultValue("4") int channelsLastFromBatch,
			@NotNull @DefaultValue("10s") java.time.Duration aliasSyncInterval,
			@NotNull @DefaultValue("60s") java.time.Duration aliasWarmupTimeout,
			@NotNull @DefaultValue("0B") DataSize maxInFlightBytes,
			@Min(0) @DefaultValue("0") int maxConcurrentDecodes,
			@NotNull @DefaultValue("2s") java.time.Duration decodeWait, @DefaultValue("true") boolean autotune,
			@NotNull @DefaultValue("10s") java.time.Duration autotuneBudget,
			@Min(1) @DefaultValue("200") int agreementImages,
			@NotNull @DefaultValue("10m") java.time.Duration recheckInterval,
			@NotNull @DefaultValue("10s") java.time.Duration recheckWindow) {
	}

	/**
	 * @param apiKeys the accepted keys, each stored only as the SHA-256 of the key; none means no key is asked for
	 * @param inferenceRequiresKey inference needs a key with role {@code infer} or {@code admin}
	 * @param allowAnonymous start without keys even when listening beyond loopback
	 * @param rateLimitPerKey requests per second each key may make on one replica, with a one-second burst; 0 is
	 * unlimited
	 */
	public record Security(@Valid @DefaultValue List<ApiKey> apiKeys,
			@DefaultValue("false") boolean inferenceRequiresKey, @DefaultValue("false") boolean allowAnonymous,
			@Min(0) @DefaultValue("0") double rateLimitPerKey) {
	}

	/**
	 * @param name who the key belongs to; recorded in the alias history instead of the key
	 * @param sha256 lowercase or uppercase hex SHA-256 of the key (the key itself is never configured)
	 * @param roles {@code admin} (everything), {@code infer} (inference), {@code read} (registry, artifacts,
	 * datasets, jobs, metrics)
	 */
	public record ApiKey(@NotBlank String name, @NotNull @Pattern(regexp = "[0-9a-fA-F]{64}") String sha256,
			@NotEmpty Set<@Pattern(regexp = "admin|infer|read") String> roles) {
	}

}
