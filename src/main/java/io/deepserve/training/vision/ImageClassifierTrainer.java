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
import java.util.stream.Stream;

import ai.djl.Device;
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
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;

import org.springframework.stereotype.Component;

import io.deepserve.dataset.ImageFolder.Entry;
import io.deepserve.dataset.ImageFolder;
import io.deepserve.nn.Architectures;
import io.deepserve.nn.TransferHeads;
import io.deepserve.registry.ModelVersion;
import io.deepserve.registry.Preprocessing;
import io.deepserve.task.vision.Augmentation;
import io.deepserve.task.vision.ColorPca;
import io.deepserve.task.vision.ImageTensors;
import io.deepserve.training.Hyperparameters;
import io.deepserve.training.JobListener;
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
	 */
	public record Result(Path modelDir, List<String> classes, int bestEpoch, double bestValidationAccuracy,
			Map<String, Double> perClassAccuracy, List<List<Integer>> confusionMatrix) {
	}

	private final Architectures architectures;

	public ImageClassifierTrainer(Architectures architectures) {
		this.architectures = architectures;
	}

	/**
	 * A registered classifier to start from.
	 * @param block the loaded base network: a TorchScript module, or a classifier built by {@link Architectures}
	 * @param freezeAll feature extraction: no base layer trains
	 * @param baseFactor the base's learning rate as a fraction of the head's, when it trains
	 * @param trainableLayers when fine-tuning, only this many of the base's last parameter-holding layers train;
	 * null for all
	 */
	public record Base(Block block, String architecture, boolean torchScript, boolean freezeAll, float baseFactor,
			Integer trainableLayers) {
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
	private record Network(Block training, Block saved, Set<String> baseParameterIds, Loss loss) {
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
		List<String> classes = images.classes();
		Split split = Split.of(images.entries(), classes, hp.validationSplit(), hp.seed());
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
		Network network = base == null ? fromScratch(architecture, classes.size()) : transfer(base, classes.size());
		LearningRates rates = new LearningRates(hp.learningRate(), hp.schedule(), batches * hp.epochs(),
				network.baseParameterIds(), base == null ? 1f : base.baseFactor());

		try (Model model = Model.newInstance(MODEL_NAME, device);
				Model export = Model.newInstance(MODEL_NAME, device)) {
			model.setBlock(network.training());
			export.setBlock(network.saved());
			DefaultTrainingConfig config = new DefaultTrainingConfig(network.loss())
				.optOptimizer(optimizer(hp.optimizer(), rates))
				.optDevices(new Device[] { device });
			try (Trainer trainer = model.newTrainer(config)) {
				trainer.initialize(new Shape(2, 3, size, size));
				if (network.saved() != network.training()) {
					// gives the saved sequence its input shape; every layer in it is initialised already
					network.saved().initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 3, size, size));
				}
				Epochs epochs = new Epochs(split, classes, decoded, tensors, hp.augment() ? random : null, random,
						batchSize, batches, size, best, export);
				TrainingLoop.Best outcome = TrainingLoop.run(trainer, epochs, hp.epochs(), hp.earlyStoppingPatience(),
						listener);
				return new Result(best, classes, outcome.epoch(), outcome.score(),
						epochs.kept.perClassAccuracy(classes), epochs.kept.confusionMatrix());
			}
		}
	}

	/** The training images in a new order each epoch, validation by accuracy, the best epoch saved to {@code best}. */
	private final class Epochs implements TrainingLoop.Epochs {

		private final Split split;

		private final List<String> classes;

		private final DecodedImages images;

		private final ImageTensors tensors;

		private final Random augment;

		private final Random shuffle;

		private final int batchSize;

		private final int batches;

		private final int size;

		private final Path best;

		private final Model export;

		private final Loss validationLoss = Loss.softmaxCrossEntropyLoss();

		private List<Entry> order;

		private long correct;

		private long seen;

		private Evaluation last;

		private Evaluation kept;

		Epochs(Split split, List<String> classes, DecodedImages images, ImageTensors tensors, Random augment,
				Random shuffle, int batchSize, int batches, int size, Path best, Model export) {
			this.split = split;
			this.classes = classes;
			this.images = images;
			this.tensors = tensors;
			this.augment = augment;
			this.shuffle = shuffle;
			this.batchSize = batchSize;
			this.batches = batches;
			this.size = size;
			this.best = best;
			this.export = export;
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
			List<Entry> batch = order.subList(index * batchSize, Math.min(order.size(), (index + 1) * batchSize));
			NDList labels = new NDList(labels(scope, batch, classes));
			NDList data = new NDList(pixels(scope, batch, images, tensors, augment, size));
			return new Batch(data, labels, batch.size());
		}

		@Override
		public void trained(Batch batch, NDList predictions) {
			correct += correct(predictions.head(), batch.labels().head());
			seen += batch.size();
		}

		@Override
		public Validation validate(Trainer trainer, int epoch, double trainLoss) {
			last = evaluate(trainer, validationLoss, split.val(), images, tensors, classes, batchSize, size);
			return new Validation(new EpochResult(epoch, trainLoss, last.loss(), (double) correct / seen,
					last.accuracy()), last.accuracy());
		}

		@Override
		public void keep(Trainer trainer) throws IOException {
			kept = last;
			clean(best);
			export.save(best, MODEL_NAME);
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

	private Network fromScratch(String architecture, int classes) {
		Block classifier = architectures.newClassifier(architecture, classes);
		return new Network(classifier, classifier, Set.of(), architectures.classificationLoss(architecture));
	}

	/**
	 * The base's layers up to its classifier, then a new head. Frozen layers are marked so (the optimizer skips
	 * them) and run as at inference; the rest train at the base's reduced rate.
	 */
	private static Network transfer(Base base, int classes) {
		List<Block> body = base.torchScript() ? List.of(base.block())
				: TransferHeads.body(base.block(), base.architecture());
		int split = base.freezeAll() ? body.size() : firstTrainable(body, base.trainableLayers());
		List<Block> frozen = body.subList(0, split);
		List<Block> trainable = body.subList(split, body.size());
		frozen.forEach(layer -> layer.freezeParameters(true));
		Set<String> baseIds = new HashSet<>();
		for (Block layer : trainable) {
			for (Parameter parameter : layer.getParameters().values()) {
				// running statistics are updated by the forward pass, never by gradients
				if (parameter.getType() != Parameter.Type.RUNNING_MEAN
						&& parameter.getType() != Parameter.Type.RUNNING_VAR) {
					parameter.freeze(false);
					baseIds.add(parameter.getId());
				}
			}
		}
		Block head = TransferHeads.newHead(classes);
		return new Network(new TransferBlock(frozen, trainable, head), TransferHeads.sequence(body, head), baseIds,
				Loss.softmaxCrossEntropyLoss());
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

	private static Optimizer optimizer(String name, LearningRates rates) {
		if ("sgd".equals(name)) {
			return Optimizer.sgd().setLearningRateTracker(rates).optMomentum(0.9f).build();
		}
		return Optimizer.adam().optLearningRateTracker(rates).build();
	}

	private Evaluation evaluate(Trainer trainer, Loss loss, List<Entry> val, DecodedImages images, ImageTensors tensors,
			List<String> classes, int batchSize, int size) {
		int[][] confusion = new int[classes.size()][classes.size()];
		double lossSum = 0;
		for (int start = 0; start < val.size(); start += batchSize) {
			List<Entry> batch = val.subList(start, Math.min(val.size(), start + batchSize));
			try (NDManager scope = trainer.getManager().newSubManager()) {
				NDList labels = new NDList(labels(scope, batch, classes));
				NDList predictions = trainer.evaluate(new NDList(pixels(scope, batch, images, tensors, null, size)));
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

	private static NDArray pixels(NDManager scope, List<Entry> batch, DecodedImages images, ImageTensors tensors,
			Random augment, int size) {
		int each = 3 * size * size;
		float[] data = new float[batch.size() * each];
		for (int i = 0; i < batch.size(); i++) {
			tensors.write(images.read(batch.get(i)), augment, data, i * each);
		}
		return scope.create(data, new Shape(batch.size(), 3, size, size));
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
