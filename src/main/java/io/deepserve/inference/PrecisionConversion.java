package io.deepserve.inference;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

import ai.djl.Model;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.deepserve.error.ConflictException;
import io.deepserve.error.DeepserveException;
import io.deepserve.nn.ReducedPrecision;
import io.deepserve.registry.ModelVersion;

/**
 * Serves a version at its {@code serving.precision}, after running fp32 and then the reduced precision over held-out
 * images of a dataset and refusing the version when they disagree on more images than its {@code serving.minAgreement}
 * allows. For {@code bf16}, fp32 is the version itself: its weights are converted once, after fp32 ran, and its
 * handlers then cast each batch to bf16. For {@code int8}, a network quantized in PyTorch, fp32 is the version its
 * {@code serving.agreementReference} names, loaded for the comparison and closed after it. fp32 runs in plain NCHW
 * order; the reduced precision in each order the task may serve it in, and the worse agreement counts.
 */
final class PrecisionConversion {

	private static final Logger log = LoggerFactory.getLogger(PrecisionConversion.class);

	/** The codes of its refusals, which the same replica would repeat for the same version. */
	static final Set<String> REFUSALS = Set.of("precision_unavailable", "precision_disagrees");

	/** The batch size the comparison runs at. */
	private static final int BATCH = 8;

	/** Why bf16 cannot be served on this replica, or null when it can ({@link EngineService#bf16Refusal}). */
	private final Supplier<String> bf16Refusal;

	/** Why the engine's float32 convolutions are wrong here, or null ({@link EngineService#wrongResults}). */
	private final Supplier<String> engineFault;

	/** Whether this replica serves on a GPU, where libtorch has no quantized operators. */
	private final BooleanSupplier onGpu;

	/** An int8 version's fp32 reference, found and loaded; the caller closes the model. */
	private final Function<String, Reference> references;

	private final int sampleImages;

	/** A version loaded to compare another with. */
	record Reference(ModelVersion version, Model model) {
	}

	PrecisionConversion(Supplier<String> bf16Refusal, Supplier<String> engineFault, BooleanSupplier onGpu,
			Function<String, Reference> references, int sampleImages) {
		this.bf16Refusal = bf16Refusal;
		this.engineFault = engineFault;
		this.onGpu = onGpu;
		this.references = references;
		this.sampleImages = sampleImages;
	}

	/**
	 * Refuses, before it is loaded, a version whose precision this replica cannot serve; {@link #apply} expects it
	 * called first.
	 * @throws ConflictException {@code precision_unavailable}
	 */
	void requireAvailable(ServingTask<?, ?> task, ModelVersion version) {
		String precision = version.precision();
		if (ModelVersion.FP32.equals(precision)) {
			return;
		}
		if (!task.offersReducedPrecision()) {
			throw unavailable(version, "which " + task.task() + " versions are not offered");
		}
		String refusal;
		if (ModelVersion.INT8.equals(precision)) {
			refusal = onGpu.getAsBoolean() ? "this replica serves on a GPU, and libtorch's quantized operators run on "
					+ "the CPU only; serve the float32 version, or bf16" : null;
		}
		else {
			refusal = bf16Refusal.get();
		}
		if (refusal != null) {
			throw unavailable(version, "which this replica cannot serve: " + refusal);
		}
	}

	private static ConflictException unavailable(ModelVersion version, String why) {
		return new ConflictException("precision_unavailable", version.ref() + " asks for serving.precision "
				+ version.precision() + ", " + why);
	}

	/**
	 * Measures and converts a version that {@link #requireAvailable} let load.
	 * @return how the reduced precision compared with fp32; null for a version served at fp32, which is left as it is
	 * @throws ConflictException {@code precision_disagrees} when it falls under the version's threshold,
	 * {@code agreement_dataset_unusable}
	 * when the images to measure it on cannot be had, {@code agreement_reference_unusable} when an int8 version's
	 * fp32 reference cannot
	 */
	Agreement apply(Model model, ServingTask<?, ?> task, ModelVersion version) {
		String precision = version.precision();
		if (ModelVersion.FP32.equals(precision)) {
			return null;
		}
		@SuppressWarnings("unchecked")
		ServingTask<Object, float[]> typed = (ServingTask<Object, float[]>) task;
		List<Object> sample;
		try {
			sample = typed.agreementSample(version, version.agreementDataset(), sampleImages);
		}
		catch (DeepserveException ex) {
			// the version's own setting, not a server fault: a 409 that names it (a 500 otherwise); not remembered
			// as a refusal, since uploading the dataset again mends it
			throw new ConflictException("agreement_dataset_unusable", version.ref() + " is measured against fp32 on "
					+ "dataset " + version.agreementDataset() + " before it serves " + precision + ", and that "
					+ "dataset cannot be used: " + ex.getMessage(), ex);
		}
		long start = System.nanoTime();
		List<float[]> fp32 = new ArrayList<>();
		double fp32Millis;
		String against;
		if (ModelVersion.INT8.equals(precision)) {
			Reference reference = reference(version);
			try (Model fp32Model = reference.model()) {
				fp32Millis = run(typed.newHandler(fp32Model, reference.version(), 0), sample, fp32);
			}
			against = "fp32 " + reference.version().ref();
		}
		else {
			fp32Millis = run(typed.newHandler(model, version, 0), sample, fp32);
			try (ReducedPrecision casts = ReducedPrecision.open(model.getNDManager())) {
				casts.toBfloat16(model.getBlock());
			}
			model.setProperty(ServingTask.PRECISION_PROPERTY, ModelVersion.BF16);
			against = "fp32";
		}
		// in each memory order it may serve in (tuning picks one later): the worse is the version's agreement
		Agreement agreement = null;
		for (int channelsLastFrom : typed.offersChannelsLast(model, version) ? new int[] { 0, 1 } : new int[] { 0 }) {
			List<float[]> reduced = new ArrayList<>();
			double reducedMillis = run(typed.newHandler(model, version, channelsLastFrom), sample, reduced);
			Agreement order = Agreement.of(precision, version.agreementDataset(), version.minAgreement(), fp32,
					reduced, fp32Millis, reducedMillis);
			if (agreement == null || order.worseThan(agreement)) {
				agreement = order;
			}
		}
		log.info("{} in {} agrees with {} on {} of {} held-out images of {} (max |dp| {}), {} ms per image "
				+ "against {} (the worse memory order; measured in {} ms)", version.ref(), precision, against,
				Math.round(agreement.top1Agreement() * sample.size()), sample.size(), agreement.dataset(),
				agreement.maxAbsDelta(), round(agreement.reducedMillisPerImage()), round(fp32Millis),
				(System.nanoTime() - start) / 1_000_000);
		if (!agreement.passes()) {
			String fault = engineFault.get();
			throw new ConflictException("precision_disagrees", String.format("%s in %s picks %s's class on %.1f%% "
					+ "of %d held-out images of %s (max |dp| %.3g), under its serving.minAgreement of %.1f%%, so it is "
					+ "not served%s", version.ref(), precision, against, 100 * agreement.top1Agreement(),
					agreement.images(), agreement.dataset(), agreement.maxAbsDelta(), 100 * agreement.minAgreement(),
					fault == null ? "" : "; the fp32 reference may itself be off, as this replica's engine check "
							+ "failed (" + fault + ")"));
		}
		return agreement;
	}

	/** An int8 version's fp32 reference, loaded; deleting it is refused, but its artifact may be gone or altered. */
	private Reference reference(ModelVersion version) {
		try {
			return references.apply(version.agreementReference());
		}
		catch (DeepserveException ex) {
			// not remembered as a refusal: the reference's artifact may be mended
			throw new ConflictException("agreement_reference_unusable", version.ref() + " is measured against its "
					+ "float32 version " + version.agreementReference() + " before it serves int8, and that version "
					+ "cannot be loaded: " + ex.getMessage(), ex);
		}
	}

	/**
	 * Runs the sample in batches into {@code outputs} and closes the handler; the milliseconds per image after a
	 * first, untimed batch.
	 */
	private static double run(BatchHandler<Object, float[]> batches, List<Object> sample, List<float[]> outputs) {
		try (BatchHandler<Object, float[]> handler = batches) {
			long timedFrom = 0;
			int timed = 0;
			for (int from = 0; from < sample.size(); from += BATCH) {
				List<Object> batch = sample.subList(from, Math.min(sample.size(), from + BATCH));
				if (from == BATCH) {
					timedFrom = System.nanoTime();
				}
				outputs.addAll(handler.run(batch));
				if (from >= BATCH) {
					timed += batch.size();
				}
			}
			return timed == 0 ? Double.NaN : (System.nanoTime() - timedFrom) / 1e6 / timed;
		}
	}

	private static double round(double millis) {
		return Math.round(millis * 100) / 100.0;
	}

}
