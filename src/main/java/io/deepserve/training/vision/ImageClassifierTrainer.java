package io.deepserve.training.vision;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;

import org.springframework.stereotype.Component;

import io.deepserve.dataset.ImageFolder;
import io.deepserve.dataset.ImageFolder.Entry;
import io.deepserve.nn.Architectures;
import io.deepserve.registry.Preprocessing;
import io.deepserve.training.Hyperparameters;
import io.deepserve.training.JobCancelledException;
import io.deepserve.training.JobListener;
import io.deepserve.training.TrainingJob.EpochResult;
import io.deepserve.training.TrainingJob.Progress;

/**
 * Trains an image classifier from scratch with our own loop (EasyTrain cannot be cancelled): a cancel check
 * between batches, validation with the inference forward after each epoch, the best epoch's parameters saved,
 * early stopping when validation accuracy stops improving.
 */
@Component
public class ImageClassifierTrainer {

	public static final String MODEL_NAME = "model";

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

	public Result train(String architecture, Hyperparameters hp, ImageFolder images, Device device, Path workDir,
			JobListener listener) throws IOException {
		List<String> classes = images.classes();
		Split split = Split.of(images.entries(), classes, hp.validationSplit(), hp.seed());
		int size = hp.imageSize();
		int batchSize = Math.max(2, hp.batchSize());
		ImageTensors tensors = new ImageTensors(size, Preprocessing.IMAGENET_MEAN, Preprocessing.IMAGENET_STD);
		Random random = new Random(hp.seed());
		Engine.getInstance().setRandomSeed(hp.seed().intValue());
		Path best = Files.createDirectories(workDir.resolve("best"));
		Loss validationLoss = Loss.softmaxCrossEntropyLoss();

		try (Model model = Model.newInstance(MODEL_NAME, device)) {
			model.setBlock(architectures.newClassifier(architecture, classes.size()));
			DefaultTrainingConfig config = new DefaultTrainingConfig(architectures.classificationLoss(architecture))
				.optOptimizer(optimizer(hp))
				.optDevices(new Device[] { device });
			try (Trainer trainer = model.newTrainer(config)) {
				trainer.initialize(new Shape(2, 3, size, size));
				int batches = split.train().size() / batchSize + (split.train().size() % batchSize >= 2 ? 1 : 0);
				long total = (long) batches * hp.epochs();
				long started = System.nanoTime();
				double bestAccuracy = -1;
				int bestEpoch = 0;
				Evaluation bestEvaluation = null;
				int stale = 0;
				for (int epoch = 1; epoch <= hp.epochs(); epoch++) {
					List<Entry> order = new ArrayList<>(split.train());
					Collections.shuffle(order, random);
					double lossSum = 0;
					long correct = 0;
					long seen = 0;
					for (int b = 0; b < batches; b++) {
						if (listener.cancelRequested()) {
							throw new JobCancelledException();
						}
						long batchStarted = System.nanoTime();
						List<Entry> batch = order.subList(b * batchSize, Math.min(order.size(), (b + 1) * batchSize));
						try (NDManager scope = trainer.getManager().newSubManager()) {
							NDList labels = new NDList(labels(scope, batch, classes));
							NDList data = new NDList(pixels(scope, batch, images, tensors, hp.augment() ? random : null, size));
							NDList predictions;
							NDArray loss;
							try (GradientCollector collector = trainer.newGradientCollector()) {
								predictions = trainer.forward(data);
								loss = trainer.getLoss().evaluate(labels, predictions);
								collector.backward(loss);
							}
							trainer.step();
							float batchLoss = loss.getFloat();
							lossSum += batchLoss * batch.size();
							listener.batch(batch.size(), System.nanoTime() - batchStarted, batchLoss);
							correct += correct(predictions.head(), labels.head());
							seen += batch.size();
						}
						long done = (long) (epoch - 1) * batches + b + 1;
						double elapsed = (System.nanoTime() - started) / 1e9;
						listener.progress(new Progress(epoch, hp.epochs(), b + 1, batches, (double) done / total,
								Math.round(elapsed / done * (total - done))));
					}
					Evaluation evaluation = evaluate(trainer, validationLoss, split.val(), images, tensors, classes,
							batchSize, size);
					listener.epoch(new EpochResult(epoch, lossSum / seen, evaluation.loss(), (double) correct / seen,
							evaluation.accuracy()));
					if (evaluation.accuracy() > bestAccuracy) {
						bestAccuracy = evaluation.accuracy();
						bestEpoch = epoch;
						bestEvaluation = evaluation;
						stale = 0;
						clean(best);
						model.save(best, MODEL_NAME);
					}
					else if (hp.earlyStoppingPatience() > 0 && ++stale >= hp.earlyStoppingPatience()) {
						break;
					}
				}
				return new Result(best, classes, bestEpoch, bestAccuracy, bestEvaluation.perClassAccuracy(classes),
						bestEvaluation.confusionMatrix());
			}
		}
	}

	private static Optimizer optimizer(Hyperparameters hp) {
		Tracker rate = Tracker.fixed(hp.learningRate());
		if ("sgd".equals(hp.optimizer())) {
			return Optimizer.sgd().setLearningRateTracker(rate).optMomentum(0.9f).build();
		}
		return Optimizer.adam().optLearningRateTracker(rate).build();
	}

	private Evaluation evaluate(Trainer trainer, Loss loss, List<Entry> val, ImageFolder images, ImageTensors tensors,
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

	private static NDArray pixels(NDManager scope, List<Entry> batch, ImageFolder images, ImageTensors tensors,
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
