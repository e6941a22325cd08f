package io.deepserve.inference;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import ai.djl.Model;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.deepserve.error.ConflictException;
import io.deepserve.error.DeepserveException;
import io.deepserve.nn.ReducedPrecision;
import io.deepserve.registry.ModelVersion;

/**
 * Serves a version at its {@code serving.precision}: for {@code bf16}, converts its weights once at load, after
 * running fp32 and then bf16 over held-out images of a dataset and refusing the version when they disagree on more
 * images than its {@code serving.minAgreement} allows. The version's handlers then cast each batch to bf16. fp32
 * runs in plain NCHW order; bf16 in each order the task may serve it in, and the worse agreement counts.
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

	private final int sampleImages;

	PrecisionConversion(Supplier<String> bf16Refusal, Supplier<String> engineFault, int sampleImages) {
		this.bf16Refusal = bf16Refusal;
		this.engineFault = engineFault;
		this.sampleImages = sampleImages;
	}

	/**
	 * @return how bf16 compared with fp32; null for a version served at fp32, which is left as it is
	 * @throws ConflictException {@code precision_unavailable} where bf16 cannot be served fast here,
	 * {@code precision_disagrees} when bf16 falls under the version's threshold, {@code agreement_dataset_unusable}
	 * when the images to measure it on cannot be had
	 */
	Agreement apply(Model model, ServingTask<?, ?> task, ModelVersion version) {
		if (!ModelVersion.BF16.equals(version.precision())) {
			return null;
		}
		if (!task.offersReducedPrecision()) {
			throw new ConflictException("precision_unavailable", version.ref() + " asks for serving.precision bf16, "
					+ "which " + task.task() + " versions are not offered");
		}
		String refusal = bf16Refusal.get();
		if (refusal != null) {
			throw new ConflictException("precision_unavailable", version.ref() + " asks for serving.precision bf16, "
					+ "which this replica cannot serve: " + refusal);
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
					+ "dataset " + version.agreementDataset() + " before it serves bf16, and that dataset cannot be "
					+ "used: " + ex.getMessage(), ex);
		}
		long start = System.nanoTime();
		List<float[]> fp32 = new ArrayList<>();
		double fp32Millis = run(typed.newHandler(model, version, 0), sample, fp32);
		try (ReducedPrecision casts = ReducedPrecision.open(model.getNDManager())) {
			casts.toBfloat16(model.getBlock());
		}
		model.setProperty(ServingTask.PRECISION_PROPERTY, ModelVersion.BF16);
		// in each memory order it may serve in (tuning picks one later): the worse is the version's agreement
		Agreement agreement = null;
		for (int channelsLastFrom : typed.offersChannelsLast(model, version) ? new int[] { 0, 1 } : new int[] { 0 }) {
			List<float[]> bf16 = new ArrayList<>();
			double bf16Millis = run(typed.newHandler(model, version, channelsLastFrom), sample, bf16);
			Agreement order = Agreement.of(ModelVersion.BF16, version.agreementDataset(), version.minAgreement(),
					fp32, bf16, fp32Millis, bf16Millis);
			if (agreement == null || order.worseThan(agreement)) {
				agreement = order;
			}
		}
		double bf16Millis = agreement.reducedMillisPerImage();
		log.info("{} in bf16 agrees with fp32 on {} of {} held-out images of {} (max |dp| {}), {} ms per image "
				+ "against {} (the worse memory order; measured in {} ms)", version.ref(),
				Math.round(agreement.top1Agreement() * sample.size()),
				sample.size(), agreement.dataset(), agreement.maxAbsDelta(), round(bf16Millis), round(fp32Millis),
				(System.nanoTime() - start) / 1_000_000);
		if (!agreement.passes()) {
			String fault = engineFault.get();
			throw new ConflictException("precision_disagrees", String.format("%s in bf16 picks fp32's class on %.1f%% "
					+ "of %d held-out images of %s (max |dp| %.3g), under its serving.minAgreement of %.1f%%, so it is "
					+ "not served%s", version.ref(), 100 * agreement.top1Agreement(), agreement.images(),
					agreement.dataset(), agreement.maxAbsDelta(), 100 * agreement.minAgreement(), fault == null ? ""
							: "; the fp32 reference may itself be off, as this replica's engine check failed (" + fault
									+ ")"));
		}
		return agreement;
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
