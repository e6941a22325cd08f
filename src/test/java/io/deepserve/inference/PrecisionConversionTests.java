package io.deepserve.inference;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.function.Supplier;

import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.deepserve.error.ConflictException;
import io.deepserve.error.NotFoundException;
import io.deepserve.registry.ArtifactFormat;
import io.deepserve.registry.Lineage;
import io.deepserve.registry.ModelVersion;
import io.deepserve.registry.Preprocessing;
import io.deepserve.registry.Task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The gate before a bf16 version serves: measured against fp32 on the task's sample, converted only where it may
 * be, refused under its threshold or where this replica cannot serve bf16. The task here is a stand-in whose
 * answers depend on the precision its model was converted to, so that agreement can be set image by image.
 */
class PrecisionConversionTests {

	private static final int IMAGES = 200;

	Model model;

	boolean channelsLastOffered;

	/** The stand-in's dataset was deleted: its sample is a 404. */
	boolean datasetGone;

	/** What a bf16 model answers in channels-last batches, where offered; null answers as in plain ones. */
	float[] channelsLastAnswer;

	/** The stand-in's bf16 answer for image {@code i}; fp32 always answers class 0 with 0.9. */
	IntFunction<float[]> bf16Answer = i -> new float[] { 0.88f, 0.12f };

	@BeforeEach
	void tinyModel() {
		model = Model.newInstance("tiny");
		Block linear = Linear.builder().setUnits(2).build();
		linear.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 4));
		model.setBlock(linear);
	}

	@AfterEach
	void close() {
		model.close();
	}

	@Test
	void anFp32VersionIsLeftAsItIs() {
		Agreement agreement = conversion(() -> "never asked", () -> null, 10).apply(model, task(),
				version(Map.of("precision", "fp32")));

		assertThat(agreement).isNull();
		assertThat(model.getProperty(ServingTask.PRECISION_PROPERTY)).isNull();
		assertRunsInFloat32();
	}

	@Test
	void bf16ThatAgreesIsMeasuredConvertedAndServed() {
		bf16Answer = i -> i == 7 ? new float[] { 0.3f, 0.7f } : new float[] { 0.88f, 0.12f };

		Agreement agreement = conversion(() -> null, () -> null, IMAGES).apply(model, task(), version(Map.of()));

		assertThat(agreement.images()).isEqualTo(IMAGES);
		assertThat(agreement.top1Agreement()).isEqualTo(199.0 / 200);
		assertThat(agreement.maxAbsDelta()).isCloseTo(0.6, within(1e-6));
		assertThat(agreement.dataset()).isEqualTo("shapes-1");
		assertThat(agreement.minAgreement()).isEqualTo(0.99);
		assertThat(model.getProperty(ServingTask.PRECISION_PROPERTY)).isEqualTo("bf16");
		// the weights are bfloat16 now: float32 input no longer fits them
		assertThatThrownBy(this::assertRunsInFloat32).isInstanceOf(RuntimeException.class);
	}

	@Test
	void bf16UnderTheVersionsThresholdIsRefused() {
		bf16Answer = i -> i % 10 == 0 ? new float[] { 0.3f, 0.7f } : new float[] { 0.88f, 0.12f };

		assertThatThrownBy(() -> conversion(() -> null, () -> null, IMAGES).apply(model, task(),
				version(Map.of("minAgreement", 0.95))))
			.isInstanceOfSatisfying(ConflictException.class, ex -> {
				assertThat(ex.code()).isEqualTo("precision_disagrees");
				assertThat(ex.getMessage()).contains("90.0% of 200 held-out images of shapes-1", "95.0%");
			});
	}

	@Test
	void bf16IsMeasuredInEveryMemoryOrderItMayServeIn() {
		channelsLastOffered = true;
		// only channels-last batches disagree: the plain order alone would pass
		channelsLastAnswer = new float[] { 0.4f, 0.6f };

		assertThatThrownBy(() -> conversion(() -> null, () -> null, IMAGES).apply(model, task(), version(Map.of())))
			.isInstanceOfSatisfying(ConflictException.class, ex -> assertThat(ex.getMessage()).contains("0.0% of 200"));
	}

	@Test
	void aRefusalSaysWhenTheFp32ReferenceMayItselfBeOff() {
		bf16Answer = i -> new float[] { 0.3f, 0.7f };

		assertThatThrownBy(() -> conversion(() -> null, () -> "a 24-channel convolution is wrong", IMAGES)
			.apply(model, task(), version(Map.of())))
			.hasMessageContaining("the fp32 reference may itself be off")
			.hasMessageContaining("a 24-channel convolution is wrong");
	}

	@Test
	void aMissingAgreementDatasetIsAConflictNamingItAndLeavesTheWeights() {
		datasetGone = true;

		assertThatThrownBy(() -> conversion(() -> null, () -> null, IMAGES).apply(model, task(),
				version(Map.of())))
			.isInstanceOfSatisfying(ConflictException.class, ex -> {
				assertThat(ex.code()).isEqualTo("agreement_dataset_unusable");
				assertThat(ex.getMessage()).contains("dataset shapes-1", "no dataset with id or name 'shapes-1'");
			});
		assertThat(PrecisionConversion.REFUSALS).doesNotContain("agreement_dataset_unusable");
		assertThat(model.getProperty(ServingTask.PRECISION_PROPERTY)).isNull();
		assertRunsInFloat32();
	}

	@Test
	void aNanAnswerNeverAgrees() {
		bf16Answer = i -> new float[] { Float.NaN, Float.NaN };

		assertThatThrownBy(() -> conversion(() -> null, () -> null, IMAGES).apply(model, task(),
				version(Map.of("minAgreement", 0))))
			.isInstanceOfSatisfying(ConflictException.class,
					ex -> assertThat(ex.getMessage()).contains("0.0% of 200", "max |dp| NaN"));
	}

	@Test
	void aReplicaThatCannotServeBf16RefusesBeforeTouchingTheWeights() {
		assertThatThrownBy(() -> conversion(() -> "no avx512_bf16 here", () -> null, IMAGES).requireAvailable(task(),
				version(Map.of())))
			.isInstanceOfSatisfying(ConflictException.class, ex -> {
				assertThat(ex.code()).isEqualTo("precision_unavailable");
				assertThat(ex.getMessage()).contains("no avx512_bf16 here");
			});
		assertThat(model.getProperty(ServingTask.PRECISION_PROPERTY)).isNull();
		assertRunsInFloat32();
	}

	@Test
	void int8IsRefusedOnAGpuBeforeItLoads() {
		PrecisionConversion gpu = new PrecisionConversion(() -> null, () -> null, () -> true, ref -> {
			throw new AssertionError("nothing is compared on a GPU");
		}, IMAGES);

		assertThatThrownBy(() -> gpu.requireAvailable(task(), version(int8())))
			.isInstanceOfSatisfying(ConflictException.class, ex -> {
				assertThat(ex.code()).isEqualTo("precision_unavailable");
				assertThat(ex.getMessage()).contains("m:1 asks for serving.precision int8", "CPU only");
			});
	}

	@Test
	void anInt8VersionWhoseReferenceCannotLoadIsAConflictNamingIt() {
		PrecisionConversion gone = new PrecisionConversion(() -> null, () -> null, () -> false, ref -> {
			throw new ConflictException("artifact_corrupted", ref + "'s artifact no longer matches its digest");
		}, IMAGES);

		assertThatThrownBy(() -> gone.apply(model, task(), version(int8())))
			.isInstanceOfSatisfying(ConflictException.class, ex -> {
				assertThat(ex.code()).isEqualTo("agreement_reference_unusable");
				assertThat(ex.getMessage()).contains("float32 version ref:3", "ref:3's artifact no longer matches");
			});
	}

	private static Map<String, Object> int8() {
		return Map.of("precision", "int8", "agreementReference", "ref:3");
	}

	/** bf16 only: no GPU, and no int8 reference to load. */
	private static PrecisionConversion conversion(Supplier<String> bf16Refusal, Supplier<String> engineFault,
			int images) {
		return new PrecisionConversion(bf16Refusal, engineFault, () -> false, ref -> {
			throw new AssertionError("no int8 version here, so no reference: " + ref);
		}, images);
	}

	private void assertRunsInFloat32() {
		try (var scope = model.getNDManager().newSubManager()) {
			model.getBlock().forward(new ParameterStore(scope, false), new NDList(scope.ones(new Shape(1, 4))), false);
		}
	}

	private static ModelVersion version(Map<String, Object> more) {
		Map<String, Object> serving = new java.util.HashMap<>(more);
		serving.putIfAbsent("precision", "bf16");
		return new ModelVersion("m", 1, Task.IMAGE_CLASSIFICATION, "torchscript", ArtifactFormat.TORCHSCRIPT, null,
				List.of("a", "b"), new Preprocessing(4, null, null, null), null, null,
				new Lineage(null, "shapes-1", null, null), serving, null, 0, null, null, ModelVersion.Status.READY,
				null);
	}

	/** Answers by image index (the sample's inputs carry it), fp32 or bf16 as the model now is. */
	private ServingTask<float[], float[]> task() {
		return new ServingTask<>() {
			@Override
			public Task task() {
				return Task.IMAGE_CLASSIFICATION;
			}

			@Override
			public boolean offersReducedPrecision() {
				return true;
			}

			@Override
			public List<float[]> agreementSample(ModelVersion version, String dataset, int max) {
				assertThat(dataset).isEqualTo("shapes-1");
				if (datasetGone) {
					throw new NotFoundException("dataset_not_found", "there is no dataset with id or name 'shapes-1'");
				}
				List<float[]> sample = new ArrayList<>();
				for (int i = 0; i < max; i++) {
					sample.add(new float[] { i });
				}
				return sample;
			}

			@Override
			public boolean offersChannelsLast(Model m, ModelVersion version) {
				return channelsLastOffered;
			}

			@Override
			public BatchHandler<float[], float[]> newHandler(Model m, ModelVersion version) {
				return newHandler(m, version, 0);
			}

			@Override
			public BatchHandler<float[], float[]> newHandler(Model m, ModelVersion version, int channelsLastFrom) {
				boolean bf16 = "bf16".equals(m.getProperty(PRECISION_PROPERTY));
				boolean channelsLast = channelsLastOffered && channelsLastFrom > 0;
				return new BatchHandler<>() {
					@Override
					public List<float[]> run(List<float[]> inputs) {
						return inputs.stream().map(in -> {
							if (!bf16) {
								return new float[] { 0.9f, 0.1f };
							}
							return channelsLast && channelsLastAnswer != null ? channelsLastAnswer
									: bf16Answer.apply((int) in[0]);
						}).toList();
					}

					@Override
					public void close() {
					}
				};
			}

			@Override
			public float[] warmupInput(ModelVersion version) {
				return new float[] { 0 };
			}
		};
	}

}
