package io.deepserve.training.vision;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import io.deepserve.config.DeepserveProperties;
import io.deepserve.config.DeepserveProperties.PrefetchMode;
import io.deepserve.dataset.ImageFolder.Entry;
import io.deepserve.dataset.ImageFolder;
import io.deepserve.nn.Architectures;
import io.deepserve.nn.Stage;
import io.deepserve.nn.TransferHeads;
import io.deepserve.registry.ModelVersion;
import io.deepserve.registry.Preprocessing;
import io.deepserve.task.vision.Augmentation;
import io.deepserve.task.vision.ColorPca;
import io.deepserve.task.vision.ImageTensors;
import io.deepserve.training.Hyperparameters;
import io.deepserve.training.JobListener;
import io.deepserve.training.OptimizerSettings;
import io.deepserve.training.Prefetch;
import io.deepserve.training.TrainingJob.EpochResult;
import io.deepserve.training.TrainingLoop.Batch;
import io.deepserve.training.TrainingLoop.Validation;
import io.deepserve.training.TrainingLoop;

/**
 * Trains an image classifier, from scratch or on top of a registered one, in the {@link TrainingLoop}: a
 * learning-rate schedule, validation accuracy with the inference forward after each epoch, the best epoch's
 * parameters saved.
 */
@Component
public class ImageClassifierTrainer {

	public static final String MODEL_NAME = "model";

	/** Training images the PCA colour augmentation's covariance is taken from. */
	static final int PCA_IMAGES = 500;

	/**
	 * @param modelDir the best epoch's saved model ({@code model-0000.params})
	 * @param confusionMatrix rows are true classes, columns predicted ones, at the best epoch
	 * @param test null without a test split
	 */
	public record Result(Path modelDir, List<String> classes, int bestEpoch, double bestValidationAccuracy,
			Map<String, Double> perClassAccuracy, List<List<Integer>> confusionMatrix, TestEvaluation test) {
	}

	/**
	 * The best epoch's model on the held-out test images, which nothing in training looked at.
	 * @param confusionMatrix rows are true classes, columns predicted ones
	 */
	public record TestEvaluation(double accuracy, Map<String, Double> perClassAccuracy,
			List<List<Integer>> confusionMatrix) {
	}

	private static final Logger log = LoggerFactory.getLogger(ImageClassifierTrainer.class);

	private final Architectures architectures;

	private final long featureCacheMaxBytes;

	private final boolean fusedOptimizer;

	private final PrefetchMode prefetch;

	@Autowired
	public ImageClassifierTrainer(Architectures architectures, DeepserveProperties properties) {
		this(architectures, properties.training().featureCacheMaxSize().toBytes(),
				properties.training().fusedOptimizer(), properties.training().prefetch());
	}

	/** @param featureCacheMaxBytes the most a job's {@link FeatureCache} may hold; 0 never caches */
	public ImageClassifierTrainer(Architectures architectures, long featureCacheMaxBytes) {
		this(architectures, featureCacheMaxBytes, true);
	}

	/** @param fusedOptimizer see {@link OptimizerSettings#fused()} */
	public ImageClassifierTrainer(Architectures architectures, long featureCacheMaxBytes, boolean fusedOptimizer) {
		this(architectures, featureCacheMaxBytes, fusedOptimizer, PrefetchMode.AUTO);
	}

	/**
	 * @param prefetch when each training batch's images are decoded and augmented on a thread of the job's own while
	 * the batch before it trains ({@link Prefetch}) rather than on the training thread when the batch is needed
	 */
	public ImageClassifierTrainer(Architectures architectures, long featureCacheMaxBytes, boolean fusedOptimizer,
			PrefetchMode prefetch) {
		this.architectures = architectures;
		this.featureCacheMaxBytes = featureCacheMaxBytes;
		this.fusedOptimizer = fusedOptimizer;
		this.prefetch = prefetch;
	}

	/**
	 * A registered classifier to start from.
	 * @param block the loaded base network: a TorchScript module, or a classifier built by {@link Architectures}
	 * @param freezeAll feature extraction: no base layer trains
	 * @param baseFactor the base's learning rate as a fraction of the head's, when it trains
	 * @param trainableLayers when fine-tuning, only this many of the base's last parameter-holding layers train;
	 * null for all
	 * @param stages the named stages of the network trained, as ranges of the base's layers (after any cut)
	 * @param cut the stage to cut the base after, adding global pooling; null to keep its whole body
	 * @param trainableStages when fine-tuning, only this many of the last {@code stages} train; null for all
	 * @param auxiliaryTaps layers whose outputs a fine-tuned GoogLeNet's new auxiliary heads read
	 * @param featureWidth a TorchScript base whose classifier was made an identity: the width of its features
	 * @param fixedParameters parameters of the base that never train (that identity), by name
	 */
	public record Base(Block block, String architecture, boolean torchScript, boolean freezeAll, float baseFactor,
			Integer trainableLayers, List<Stage> stages, Stage cut, Integer trainableStages,
			List<Integer> auxiliaryTaps, Integer featureWidth, Set<String> fixedParameters) {

		public Base(Block block, String architecture, boolean torchScript, boolean freezeAll, float baseFactor,
				Integer trainableLayers) {
			this(block, architecture, torchScript, freezeAll, baseFactor, trainableLayers, List.of(), null, null,
					List.of(), null, Set.of());
		}

	}

	/**
	 * The new version's preprocessing, which training applies too: a model built on a base normalises and resizes
	 * its input as the base did; ImageNet's statistics and plain bilinear resizing otherwise.
	 */
	public static Preprocessing preprocessing(Hyperparameters hp, ModelVersion base) {
		Preprocessing from = base != null && base.preprocessing() != null ? base.preprocessing()
				: new Preprocessing(null, null, null, null);
		return new Preprocessing(hp.imageSize(), null, from.mean() != null ? from.mean() : Preprocessing.IMAGENET_MEAN,
				from.std() != null ? from.std() : Preprocessing.IMAGENET_STD, from.resizeMethodOrDefault());
	}

	/** What the loop trains, what it saves (the same parameters as a plain sequence), and what trains slowly. */
	record Network(Block training, Block saved, Set<String> baseParameterIds, Loss loss) {
	}

	public Result train(String architecture, Hyperparameters hp, Preprocessing preprocessing, ImageFolder images,
			Device device, Path workDir, JobListener listener) throws IOException {
		return train(architecture, hp, preprocessing, images, device, workDir, listener, null);
	}

	/**
	 * @param preprocessing the new version's: validation images go through it exactly as served images will
	 * @param base null to train from scratch
	 */
	public Result train(String architecture, Hyperparameters hp, Preprocessing preprocessing, ImageFolder images,
			Device device, Path workDir, JobListener listener, Base base) throws IOException {
		return train(architecture, hp, preprocessing, images, device, workDir, listener, base, false);
	}

	/** @param bf16 mixed precision: bf16 forward and backward on float32 weights ({@link TrainingLoop}) */
	public Result train(String architecture, Hyperparameters hp, Preprocessing preprocessing, ImageFolder images,
			Device device, Path workDir, JobListener listener, Base base, boolean bf16) throws IOException {
		List<String> classes = images.classes();
		Split split = Split.of(images.entries(), classes, hp.validationSplit(), hp.testSplit(), hp.seed());
		int size = hp.imageSize();
		int batchSize = Math.max(2, hp.batchSize());
		Random random = new Random(hp.seed());
		Engine.getInstance().setRandomSeed(hp.seed().intValue());
		Path best = Files.createDirectories(workDir.resolve("best"));
		DecodedImages decoded = new DecodedImages(images);
		Augmentation augmentation = Augmentation.require(hp.augment(), hp.augmentation());
		ImageTensors tensors = new ImageTensors(preprocessing, augmentation,
				hp.augment() && augmentation.pcaColorOrDefault()
						? colorPca(split.train(), decoded, new ImageTensors(preprocessing), hp.seed()) : null);
		int batches = split.train().size() / batchSize + (split.train().size() % batchSize >= 2 ? 1 : 0);
		Network network = base == null ? fromScratch(architecture, classes.size(), hp) : transfer(base, classes.size());
		LearningRates rates = new LearningRates(hp.learningRate(), hp.schedule(), batches * hp.epochs(),
				network.baseParameterIds(), base == null ? 1f : base.baseFactor());

		try (Model model = Model.newInstance(MODEL_NAME, device);
				Model export = Model.newInstance(MODEL_NAME, device)) {
			export.setBlock(network.saved());
			FeatureCache cache = hp.augment() ? null
					: featureCache(network, split, images, tensors, size, batchSize, model.getNDManager(), listener);
			model.setBlock(cache != null ? ((TransferBlock) network.training()).head() : network.training());
			Inputs inputs = cache != null ? (batch, augment) -> scope -> cache.batch(scope, batch)
					: (batch, augment) -> stagePixels(batch, decoded, tensors, augment, size);
			OptimizerSettings optimizer = new OptimizerSettings(hp.optimizer(), hp.weightDecay(),
					OptimizerSettings.NO_CLIPPING, rates, fusedOptimizer);
			DefaultTrainingConfig config = new DefaultTrainingConfig(network.loss()).optOptimizer(optimizer.djl())
				.optDevices(new Device[] { device });
			try (Trainer trainer = model.newTrainer(config)) {
				trainer.initialize(cache != null ? new Shape(2, cache.features()) : new Shape(2, 3, size, size));
				if (network.saved() != network.training()) {
					// gives the saved sequence its input shape; every layer in it is initialised already
					network.saved().initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 3, size, size));
				}
				Epochs epochs = new Epochs(split, classes, inputs, hp.augment() ? random : null, random, batchSize,
						batches, best, export, cache == null && (prefetch == PrefetchMode.ALWAYS
								|| prefetch == PrefetchMode.AUTO && device.isGpu()));
				TrainingLoop.Best outcome;
				try (epochs) {
					outcome = TrainingLoop.run(trainer, optimizer, bf16, epochs, hp.epochs(),
							hp.earlyStoppingPatience(), listener);
				}
				epochs.logInput();
				TestEvaluation test = split.test().isEmpty() || epochs.kept == null ? null
						: test(export, best, split.test(), decoded, tensors, classes, batchSize, size);
				return new Result(best, classes, outcome.epoch(), outcome.score(),
						epochs.kept.perClassAccuracy(classes), epochs.kept.confusionMatrix(), test);
			}
		}
	}

	/**
	 * The best epoch's saved network, as it will be served, on the test images: read back from {@code best}, since
	 * the network in memory holds the last epoch's parameters.
	 */
	private static TestEvaluation test(Model export, Path best, List<Entry> test, DecodedImages decoded,
			ImageTensors tensors, List<String> classes, int batchSize, int size) throws IOException {
		try {
			export.load(best, MODEL_NAME);
		}
		catch (MalformedModelException ex) {
			throw new IOException("the best epoch's model could not be read back: " + ex.getMessage(), ex);
		}
		Block network = export.getBlock();
		Evaluation evaluation = evaluate(export.getNDManager(),
				(scope, data) -> network.forward(new ParameterStore(scope, false), data, false),
				Loss.softmaxCrossEntropyLoss(), test,
				(batch, augment) -> stagePixels(batch, decoded, tensors, null, size), classes, batchSize);
		return new TestEvaluation(evaluation.accuracy(), evaluation.perClassAccuracy(classes),
				evaluation.confusionMatrix());
	}

	/** A batch's network input: its images' tensors, or their cached features. */
	@FunctionalInterface
	private interface Inputs {

		/**
		 * What can be made of the batch's input off the training thread (its images decoded and augmented), on
		 * any one thread at a time.
		 * @param augment null for the images as served
		 */
		Staged stage(List<Entry> batch, Random augment);

		default NDArray of(NDManager scope, List<Entry> batch, Random augment) {
			return stage(batch, augment).in(scope);
		}

	}

	/** A batch's input made so far, to become an array on the training thread. */
	@FunctionalInterface
	private interface Staged {

		NDArray in(NDManager scope);

	}

	/**
	 * The frozen base's features of every training and validation image, when nothing before the head trains and
	 * they fit in the configured memory; null otherwise. The transfer network is initialised here as the trainer
	 * would initialise it, so its head starts from the same weights whether or not features are cached.
	 */
	private FeatureCache featureCache(Network network, Split split, ImageFolder images, ImageTensors tensors,
			int size, int batchSize, NDManager manager, JobListener listener) {
		if (!(network.training() instanceof TransferBlock transfer) || !transfer.baseFrozen()) {
			return null;
		}
		transfer.initialize(manager, DataType.FLOAT32, new Shape(2, 3, size, size));
		int features = Math.toIntExact(transfer.head().getInputShapes()[0].get(1));
		List<Entry> all = new ArrayList<>(split.train());
		all.addAll(split.val());
		if (!FeatureCache.fits(features, all.size(), featureCacheMaxBytes)) {
			log.info("Not caching base features: {} images of {} features take {} bytes, above "
					+ "deepserve.training.feature-cache-max-size ({} bytes); the base runs in every epoch", all.size(),
					features, FeatureCache.bytes(features, all.size()), featureCacheMaxBytes);
			return null;
		}
		long started = System.nanoTime();
		// each image is read once, so nothing is gained by keeping it decoded
		FeatureCache cache = FeatureCache.compute(transfer, all, new DecodedImages(images, 0), tensors, size,
				batchSize, features, manager, listener::cancelRequested);
		log.info("Cached base features of {} images ({} features, {} bytes) in {} ms", all.size(), features,
				FeatureCache.bytes(features, all.size()), (System.nanoTime() - started) / 1_000_000);
		return cache;
	}

	/**
	 * The training images in a new order each epoch, validation by accuracy, the best epoch saved to {@code best}.
	 * Each training batch's input is staged (decoded, augmented) on a {@link Prefetch} thread while the batch before
	 * it trains, where {@code ahead}.
	 */
	private final class Epochs implements TrainingLoop.Epochs, AutoCloseable {

		private final Split split;

		private final List<String> classes;

		private final Inputs inputs;

		private final Random augment;

		private final Random shuffle;

		private final int batchSize;

		private final int batches;

		private final Path best;

		private final Model export;

		private final Loss validationLoss = Loss.softmaxCrossEntropyLoss();

		private List<Entry> order;

		private long correct;

		private long seen;

		private Evaluation last;

		private Evaluation kept;

		private final Prefetch<Staged> prefetch;

		Epochs(Split split, List<String> classes, Inputs inputs, Random augment, Random shuffle, int batchSize,
				int batches, Path best, Model export, boolean ahead) {
			this.split = split;
			this.classes = classes;
			this.inputs = inputs;
			this.augment = augment;
			this.shuffle = shuffle;
			this.batchSize = batchSize;
			this.batches = batches;
			this.best = best;
			this.export = export;
			this.prefetch = new Prefetch<>(ahead, "deepserve-prefetch-" + Thread.currentThread().getName(),
					index -> inputs.stage(slice(index), augment));
		}

		private List<Entry> slice(int index) {
			return order.subList(index * batchSize, Math.min(order.size(), (index + 1) * batchSize));
		}

		@Override
		public int batches() {
			return batches;
		}

		@Override
		public void startEpoch() {
			order = new ArrayList<>(split.train());
			Collections.shuffle(order, shuffle);
			correct = 0;
			seen = 0;
		}

		@Override
		public Batch batch(NDManager scope, int index) {
			List<Entry> batch = slice(index);
			NDList labels = new NDList(labels(scope, batch, classes));
			NDList data = new NDList(prefetch.take(index, index + 1 < batches ? index + 1 : -1).in(scope));
			return new Batch(data, labels, batch.size());
		}

		@Override
		public void trained(Batch batch, NDList predictions) {
			correct += correct(predictions.head(), batch.labels().head());
			seen += batch.size();
		}

		@Override
		public Validation validate(Trainer trainer, int epoch, double trainLoss) {
			last = evaluate(trainer.getManager(), (scope, data) -> trainer.evaluate(data), validationLoss, split.val(),
					inputs, classes, batchSize);
			return new Validation(new EpochResult(epoch, trainLoss, last.loss(), (double) correct / seen,
					last.accuracy()), last.accuracy());
		}

		@Override
		public void keep(Trainer trainer) throws IOException {
			kept = last;
			clean(best);
			export.save(best, MODEL_NAME);
		}

		/** Waits for a batch still being staged: the decoded images are the training thread's again after. */
		@Override
		public void close() {
			prefetch.close();
		}

		/** How long the training thread spent on its batches' input, and the prefetch thread for it; after close. */
		void logInput() {
			log.info("Training input: {} batches, {} made ahead on the prefetch thread in {} ms; the training thread "
					+ "spent {} ms taking them", prefetch.taken(), prefetch.madeAhead(), prefetch.aheadNanos() / 1_000_000,
					prefetch.waitedNanos() / 1_000_000);
		}

	}

	/** The colour components of up to {@link #PCA_IMAGES} training images (never validation ones), seeded. */
	private static ColorPca colorPca(List<Entry> train, DecodedImages images, ImageTensors plain, long seed) {
		List<Entry> sample = new ArrayList<>(train);
		Collections.shuffle(sample, new Random(seed));
		ColorPca.Accumulator pixels = new ColorPca.Accumulator();
		for (Entry entry : sample.subList(0, Math.min(PCA_IMAGES, sample.size()))) {
			pixels.add(plain.centreSquare(images.read(entry)));
		}
		return pixels.fit();
	}

	private Network fromScratch(String architecture, int classes, Hyperparameters hp) {
		Block classifier = architectures.newClassifier(architecture, classes, hp.architectureOptions());
		return new Network(classifier, classifier, Set.of(), architectures.classificationLoss(architecture));
	}

	/**
	 * The base's layers up to its classifier (or its cut), then a new head. Frozen layers are marked so (the
	 * optimizer skips them) and run as at inference; the rest train at the base's reduced rate.
	 */
	static Network transfer(Base base, int classes) {
		List<Block> body = base.torchScript()
				? base.featureWidth() == null ? List.of(base.block())
						: List.of(base.block(), TransferHeads.narrow(base.featureWidth()))
				: TransferHeads.body(base.block(), base.architecture());
		if (base.cut() != null) {
			body = TransferHeads.cut(body, base.cut());
		}
		int split = base.freezeAll() ? body.size()
				: base.trainableStages() != null ? base.stages().get(base.stages().size() - base.trainableStages()).from()
						: firstTrainable(body, base.trainableLayers());
		List<Block> frozen = body.subList(0, split);
		List<Block> trainable = body.subList(split, body.size());
		frozen.forEach(layer -> layer.freezeParameters(true));
		Set<String> baseIds = new HashSet<>();
		for (Block layer : trainable) {
			for (Parameter parameter : layer.getParameters().values()) {
				if (base.fixedParameters().contains(parameter.getName())) {
					// a TorchScript module loaded to train has gradients on for all of its parameters
					parameter.freeze(true);
				}
				// running statistics are updated by the forward pass, never by gradients
				else if (parameter.getType() != Parameter.Type.RUNNING_MEAN
						&& parameter.getType() != Parameter.Type.RUNNING_VAR) {
					parameter.freeze(false);
					baseIds.add(parameter.getId());
				}
			}
		}
		// GoogLeNet's auxiliary heads come back, for the new classes, where the layers they read train
		Map<Integer, Block> auxiliary = new TreeMap<>();
		for (int tap : base.freezeAll() ? List.<Integer>of() : base.auxiliaryTaps()) {
			if (tap >= split && tap < body.size() - 1) {
				auxiliary.put(tap - split, TransferHeads.newAuxiliaryHead(classes));
			}
		}
		Block head = TransferHeads.newHead(classes);
		return new Network(new TransferBlock(frozen, trainable, head, auxiliary), TransferHeads.sequence(body, head),
				baseIds, TransferHeads.loss(!auxiliary.isEmpty()));
	}

	/** The index of the first layer that trains when only the last {@code layers} layers with parameters do. */
	private static int firstTrainable(List<Block> body, Integer layers) {
		if (layers == null) {
			return 0;
		}
		int counted = 0;
		for (int i = body.size() - 1; i >= 0; i--) {
			if (!body.get(i).getParameters().isEmpty() && ++counted == layers) {
				return i;
			}
		}
		return 0;
	}

	/** A network's inference forward, its arrays made in {@code scope}. */
	@FunctionalInterface
	private interface Forward {

		NDList apply(NDManager scope, NDList data);

	}

	private static Evaluation evaluate(NDManager manager, Forward forward, Loss loss, List<Entry> val, Inputs inputs,
			List<String> classes, int batchSize) {
		int[][] confusion = new int[classes.size()][classes.size()];
		double lossSum = 0;
		for (int start = 0; start < val.size(); start += batchSize) {
			List<Entry> batch = val.subList(start, Math.min(val.size(), start + batchSize));
			try (NDManager scope = manager.newSubManager()) {
				NDList labels = new NDList(labels(scope, batch, classes));
				NDList predictions = forward.apply(scope, new NDList(inputs.of(scope, batch, null)));
				lossSum += loss.evaluate(labels, new NDList(predictions.head())).getFloat() * batch.size();
				long[] predicted = predictions.head().argMax(1).toType(DataType.INT64, false).toLongArray();
				for (int i = 0; i < batch.size(); i++) {
					confusion[classes.indexOf(batch.get(i).label())][(int) predicted[i]]++;
				}
			}
		}
		return new Evaluation(lossSum / val.size(), confusion);
	}

	private static NDArray labels(NDManager scope, List<Entry> batch, List<String> classes) {
		float[] labels = new float[batch.size()];
		for (int i = 0; i < labels.length; i++) {
			labels[i] = classes.indexOf(batch.get(i).label());
		}
		return scope.create(labels);
	}

	static NDArray pixels(NDManager scope, List<Entry> batch, DecodedImages images, ImageTensors tensors,
			Random augment, int size) {
		return stagePixels(batch, images, tensors, augment, size).in(scope);
	}

	/** The batch's images decoded (or read from {@code images}' cache) and written as one NCHW float block. */
	private static Staged stagePixels(List<Entry> batch, DecodedImages images, ImageTensors tensors, Random augment,
			int size) {
		int each = 3 * size * size;
		float[] data = new float[batch.size() * each];
		for (int i = 0; i < batch.size(); i++) {
			tensors.write(images.read(batch.get(i)), augment, data, i * each);
		}
		return scope -> scope.create(data, new Shape(batch.size(), 3, size, size));
	}

	private static long correct(NDArray logits, NDArray labels) {
		return logits.argMax(1)
			.toType(DataType.INT64, false)
			.eq(labels.toType(DataType.INT64, false))
			.countNonzero()
			.getLong();
	}

	private static void clean(Path dir) throws IOException {
		try (Stream<Path> files = Files.list(dir)) {
			for (Path file : files.toList()) {
				Files.delete(file);
			}
		}
	}

	/** Validation results of one epoch. */
	private record Evaluation(double loss, int[][] confusion) {

		double accuracy() {
			long right = 0;
			long all = 0;
			for (int t = 0; t < confusion.length; t++) {
				for (int p = 0; p < confusion.length; p++) {
					all += confusion[t][p];
					right += t == p ? confusion[t][p] : 0;
				}
			}
			return all == 0 ? 0 : (double) right / all;
		}

		Map<String, Double> perClassAccuracy(List<String> classes) {
			Map<String, Double> accuracy = new LinkedHashMap<>();
			for (int t = 0; t < confusion.length; t++) {
				int all = 0;
				for (int p = 0; p < confusion.length; p++) {
					all += confusion[t][p];
				}
				accuracy.put(classes.get(t), all == 0 ? null : (double) confusion[t][t] / all);
			}
			return accuracy;
		}

		List<List<Integer>> confusionMatrix() {
			List<List<Integer>> rows = new ArrayList<>();
			for (int[] row : confusion) {
				rows.add(java.util.Arrays.stream(row).boxed().toList());
			}
			return rows;
		}

	}

}
