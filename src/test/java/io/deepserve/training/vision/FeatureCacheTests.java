package io.deepserve.training.vision;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.deepserve.dataset.ImageFolder;
import io.deepserve.dataset.ShapeFolders;
import io.deepserve.nn.Architectures;
import io.deepserve.training.Hyperparameters;
import io.deepserve.training.TrainingJob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Feature extraction with the base's features cached: the frozen base's forward calls are counted by a wrapper
 * around it, and the cached job is compared with the same job run without the cache (a cache limit of 0).
 */
class FeatureCacheTests {

	/** 3 classes of 8 images; validation holds 2 of each: 18 training and 6 validation images. */
	private static final List<String> SHAPES = List.of("x", "o", "square");

	private static final int BATCH = 4;

	private static final int FEATURES = 4;

	private static final int TRAIN = 18;

	private static final int VAL = 6;

	/** 18 training images in batches of 4: four full batches and one of 2. */
	private static final int TRAIN_BATCHES = 5;

	@TempDir
	static Path dir;

	static ImageFolder images;

	@BeforeAll
	static void images() throws IOException {
		images = ShapeFolders.open(dir.resolve("shapes.zip"), SHAPES, 8, 24, 5);
	}

	@AfterAll
	static void close() throws IOException {
		images.close();
	}

	@Test
	void eachImageGoesThroughTheFrozenBaseOncePerJobAndLaterEpochsCostNoBaseForward() throws IOException {
		try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
			Run one = run(manager, 1, false, Long.MAX_VALUE, "one");
			Run three = run(manager, 3, false, Long.MAX_VALUE, "three");
			int calls = (TRAIN + VAL + BATCH - 1) / BATCH;
			assertThat(one.base.images()).as("one epoch").isEqualTo(TRAIN + VAL);
			assertThat(one.base.calls()).isEqualTo(calls);
			assertThat(three.base.images()).as("three epochs cost what one does").isEqualTo(TRAIN + VAL);
			assertThat(three.base.calls()).isEqualTo(calls);
			assertThat(three.history).hasSize(3);
		}
	}

	@Test
	void theCachedJobTrainsTheHeadTheUncachedJobTrains() throws IOException {
		try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
			Run cached = run(manager, 3, false, Long.MAX_VALUE, "cached");
			Run uncached = run(manager, 3, false, 0, "uncached");
			// without the cache the base runs on every batch of every epoch, validation included
			assertThat(uncached.base.images()).isEqualTo(3 * (TRAIN + VAL));
			assertThat(uncached.base.calls()).isEqualTo(3 * (TRAIN_BATCHES + 2));

			assertThat(cached.history.get(2).trainLoss()).as("the head learns: " + cached.history)
				.isLessThan(cached.history.get(0).trainLoss());
			for (int e = 0; e < 3; e++) {
				TrainingJob.EpochResult a = cached.history.get(e);
				TrainingJob.EpochResult b = uncached.history.get(e);
				assertThat(a.trainLoss()).as("epoch " + (e + 1)).isCloseTo(b.trainLoss(), within(1e-4));
				assertThat(a.valLoss()).as("epoch " + (e + 1)).isCloseTo(b.valLoss(), within(1e-4));
				assertThat(a.valAccuracy()).as("epoch " + (e + 1)).isEqualTo(b.valAccuracy());
			}
			assertThat(cached.result.bestEpoch()).isEqualTo(uncached.result.bestEpoch());
			assertThat(cached.result.confusionMatrix()).isEqualTo(uncached.result.confusionMatrix());
		}
		// the saved models: the same plain sequence of base and head, equal within float tolerance
		try (Model a = saved(dir.resolve("cached/best")); Model b = saved(dir.resolve("uncached/best"))) {
			List<Parameter> pa = new ArrayList<>(a.getBlock().getParameters().values());
			List<Parameter> pb = new ArrayList<>(b.getBlock().getParameters().values());
			assertThat(pa).hasSameSizeAs(pb).hasSizeGreaterThan(2);
			for (int p = 0; p < pa.size(); p++) {
				float[] va = pa.get(p).getArray().toFloatArray();
				float[] vb = pb.get(p).getArray().toFloatArray();
				assertThat(va).as(pa.get(p).getName()).containsExactly(vb, within(1e-5f));
			}
			assertThat(pa.get(pa.size() - 2).getArray().getShape()).as("the head's weight")
				.isEqualTo(new Shape(SHAPES.size(), FEATURES));
		}
	}

	@Test
	void withAugmentationTheBaseRunsAsAtInferenceWithNothingToBackPropagateAndStaysUnchanged() throws IOException {
		try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
			Run augmented = run(manager, 2, true, Long.MAX_VALUE, "augmented");
			assertThat(augmented.base.images()).as("no cache: augmented images differ every epoch")
				.isEqualTo(2 * (TRAIN + VAL));
			assertThat(augmented.base.trainingCalls).as("forward calls in training mode").isZero();
			assertThat(augmented.base.outputsWithGradient).as("outputs autograd could back-propagate through")
				.isZero();
			for (Parameter parameter : augmented.base.getParameters().values()) {
				assertThat(parameter.getArray().hasGradient()).as(parameter.getName()).isFalse();
			}
			// the same weights as the job started from; batch norm's running statistics would have moved in a
			// training-mode forward
			SequentialBlock reference = new SequentialBlock().add(new Counting(layers()))
				.add(Linear.builder().setUnits(2).build());
			initialise(reference, manager);
			List<Parameter> before = new ArrayList<>(reference.getChildren().get(0).getValue()
				.getParameters().values());
			List<Parameter> after = new ArrayList<>(augmented.base.getParameters().values());
			assertThat(after).hasSameSizeAs(before).hasSizeGreaterThan(3);
			for (int p = 0; p < before.size(); p++) {
				assertThat(after.get(p).getArray().toFloatArray()).as(after.get(p).getName())
					.containsExactly(before.get(p).getArray().toFloatArray());
			}
		}
	}

	/**
	 * A TorchScript base (one opaque module, loaded for serving, whose forward gives inference tensors) is cached
	 * too, trains the head the uncached job trains, and its best model reads back for the test split.
	 */
	@Test
	void aTorchScriptBaseIsCachedAndItsSavedModelIsTested() throws IOException {
		Path pt = Files.createDirectories(dir.resolve("tiny-ts"));
		Files.write(pt.resolve("model.pt"), io.deepserve.inference.Images.tinyTorchScript());
		List<ImageClassifierTrainer.Result> results = new ArrayList<>();
		List<List<TrainingJob.EpochResult>> histories = new ArrayList<>();
		for (long cacheBytes : new long[] { Long.MAX_VALUE, 0 }) {
			try (Model base = Model.newInstance("tiny", Device.cpu())) {
				base.load(pt);
				Hyperparameters hp = new ObjectMapper().readValue("""
						{"epochs": 2, "batchSize": 4, "learningRate": 0.05, "imageSize": 32, "augment": false,
						 "validationSplit": 0.25, "testSplit": 0.25, "earlyStoppingPatience": 0, "seed": 3,
						 "schedule": "fixed"}""", Hyperparameters.class).withDefaults();
				EpochListener listener = new EpochListener();
				results.add(new ImageClassifierTrainer(new Architectures(), cacheBytes).train("torchscript", hp,
						ImageClassifierTrainer.preprocessing(hp, null), images, Device.cpu(),
						Files.createDirectories(dir.resolve("ts-" + cacheBytes)), listener,
						new ImageClassifierTrainer.Base(base.getBlock(), "torchscript", true, true, 0.1f, null)));
				histories.add(listener.epochs);
			}
			catch (MalformedModelException ex) {
				throw new IOException(ex);
			}
		}
		for (int e = 0; e < 2; e++) {
			assertThat(histories.get(0).get(e).trainLoss()).as("epoch " + (e + 1))
				.isCloseTo(histories.get(1).get(e).trainLoss(), within(1e-4));
		}
		assertThat(results).allSatisfy(result -> assertThat(result.test()).isNotNull());
		assertThat(results.get(0).test().confusionMatrix()).isEqualTo(results.get(1).test().confusionMatrix())
			.allSatisfy(row -> assertThat(row.stream().mapToInt(Integer::intValue).sum()).isEqualTo(2));
	}

	/** One feature-extraction job on {@link #images} with a fresh copy of the same base, in {@code manager}. */
	private static Run run(NDManager manager, int epochs, boolean augment, long cacheBytes, String name)
			throws IOException {
		return run(manager, epochs, augment, cacheBytes, 0, images, dir.resolve(name));
	}

	static Run run(NDManager manager, int epochs, boolean augment, long cacheBytes, float testSplit,
			ImageFolder images, Path work) throws IOException {
		Hyperparameters hp = new ObjectMapper().readValue("""
				{"epochs": %d, "batchSize": %d, "learningRate": 0.05, "imageSize": 24, "augment": %b,
				 "validationSplit": 0.25, "testSplit": %s, "earlyStoppingPatience": 0, "seed": 3,
				 "schedule": "fixed"}""".formatted(epochs, BATCH, augment, testSplit), Hyperparameters.class)
			.withDefaults();
		Counting base = new Counting(layers());
		SequentialBlock network = new SequentialBlock().add(base).add(Linear.builder().setUnits(2).build());
		initialise(network, manager);
		EpochListener listener = new EpochListener();
		ImageClassifierTrainer trainer = new ImageClassifierTrainer(new Architectures(), cacheBytes);
		ImageClassifierTrainer.Result result = trainer.train("resnet18", hp,
				ImageClassifierTrainer.preprocessing(hp, null), images, Device.cpu(),
				Files.createDirectories(work), listener,
				new ImageClassifierTrainer.Base(network, "tiny", false, true, 0.1f, null));
		return new Run(result, listener.epochs, base);
	}

	/** The saved model read back into a fresh network of the same layout. */
	private static Model saved(Path modelDir) throws IOException {
		Model model = Model.newInstance(ImageClassifierTrainer.MODEL_NAME, Device.cpu());
		model.setBlock(new SequentialBlock().add(new Counting(layers()))
			.add(Linear.builder().setUnits(SHAPES.size()).build()));
		try {
			model.load(modelDir, ImageClassifierTrainer.MODEL_NAME);
		}
		catch (MalformedModelException ex) {
			model.close();
			throw new IOException(ex);
		}
		return model;
	}

	/** A small base with batch norm, giving {@link #FEATURES} features an image. */
	private static SequentialBlock layers() {
		return new SequentialBlock().add(Conv2d.builder().setKernelShape(new Shape(3, 3)).setFilters(FEATURES).build())
			.add(BatchNorm.builder().build())
			.add(Activation::relu)
			.add(Pool.globalAvgPool2dBlock())
			.add(Blocks.batchFlattenBlock());
	}

	/** The same random weights every time. */
	private static void initialise(SequentialBlock network, NDManager manager) {
		Engine.getInstance().setRandomSeed(11);
		network.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 24, 24));
	}

	record Run(ImageClassifierTrainer.Result result, List<TrainingJob.EpochResult> history, Counting base) {
	}

	/** Counts the images the wrapped base is run on, leaving out the all-zero probes that give the head its shape. */
	static final class Counting extends AbstractBlock {

		private final Block inner;

		private int calls;

		private int images;

		int trainingCalls;

		int outputsWithGradient;

		Counting(Block inner) {
			this.inner = addChildBlock("inner", inner);
		}

		int calls() {
			return calls;
		}

		int images() {
			return images;
		}

		@Override
		protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs, boolean training,
				PairList<String, Object> params) {
			NDList out = inner.forward(parameterStore, inputs, training, params);
			boolean probe = inputs.head().abs().sum().getFloat() == 0;
			if (!probe) {
				calls++;
				images += (int) inputs.head().getShape().get(0);
				trainingCalls += training ? 1 : 0;
				outputsWithGradient += out.head().hasGradient() ? 1 : 0;
			}
			return out;
		}

		@Override
		protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
			inner.initialize(manager, dataType, inputShapes);
		}

		@Override
		public Shape[] getOutputShapes(Shape[] inputShapes) {
			return inner.getOutputShapes(inputShapes);
		}

	}

}
