package io.deepserve.training.vision;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;

import org.springframework.stereotype.Component;

import io.deepserve.dataset.Dataset;
import io.deepserve.dataset.DatasetService;
import io.deepserve.dataset.ImageFolder;
import io.deepserve.error.DeepserveException;
import io.deepserve.error.InvalidInputException;
import io.deepserve.inference.ModelLoader;
import io.deepserve.nn.Architectures;
import io.deepserve.nn.Stage;
import io.deepserve.registry.Lineage;
import io.deepserve.registry.ModelRegistry;
import io.deepserve.registry.ModelVersion;
import io.deepserve.registry.ArchitectureOptions;
import io.deepserve.registry.NewModelVersion;
import io.deepserve.registry.Preprocessing;
import io.deepserve.registry.Task;
import io.deepserve.task.vision.Augmentation;
import io.deepserve.training.Hyperparameters;
import io.deepserve.training.JobListener;
import io.deepserve.training.OptimizerSettings;
import io.deepserve.training.TrainingJob;
import io.deepserve.training.TrainingRequest;
import io.deepserve.training.TrainingTask;

/** Image classification's training: an architecture from scratch on an images dataset, or a registered base's. */
@Component
class ImageClassificationTraining implements TrainingTask {

	private final DatasetService datasets;

	private final Architectures architectures;

	private final ModelRegistry registry;

	private final ModelLoader loader;

	private final ImageClassifierTrainer trainer;

	ImageClassificationTraining(DatasetService datasets, Architectures architectures, ModelRegistry registry,
			ModelLoader loader, ImageClassifierTrainer trainer) {
		this.datasets = datasets;
		this.architectures = architectures;
		this.registry = registry;
		this.loader = loader;
		this.trainer = trainer;
	}

	@Override
	public Task task() {
		return Task.IMAGE_CLASSIFICATION;
	}

	@Override
	public Dataset validate(TrainingRequest request) {
		boolean torchScript = NewModelVersion.TORCHSCRIPT.equals(request.architecture())
				&& request.baseModel() != null;
		if (!torchScript) {
			architectures.require(request.architecture());
		}
		if (request.dataset() == null) {
			throw new InvalidInputException("invalid_request", "dataset (a dataset id or name) is required");
		}
		Dataset dataset = datasets.resolve(request.dataset());
		if (!Dataset.IMAGES.equals(dataset.kind())) {
			throw new InvalidInputException("wrong_dataset_kind", "image-classification needs an images dataset, and "
					+ dataset.id() + " is a " + dataset.kind() + " dataset");
		}
		Architectures.requireClasses(dataset.classes().size());
		Hyperparameters hp = request.resolved();
		if (hp.epochs() <= 0) {
			throw invalid("epochs must be positive");
		}
		if (hp.batchSize() < 2) {
			throw invalid("batchSize must be at least 2 (batch normalisation needs two images)");
		}
		if (!(hp.learningRate() > 0)) {
			throw invalid("learningRate must be positive");
		}
		if (!(hp.validationSplit() > 0 && hp.validationSplit() < 1)) {
			throw invalid("validationSplit must be above 0 and below 1");
		}
		if (!(hp.testSplit() >= 0 && hp.testSplit() < 1)) {
			throw invalid("testSplit must be at least 0 and below 1");
		}
		if (!(hp.validationSplit() + hp.testSplit() < 1)) {
			throw invalid("validationSplit and testSplit together must be below 1");
		}
		if (hp.testSplit() > 0) {
			requireTestImages(dataset, hp);
		}
		if (hp.earlyStoppingPatience() < 0) {
			throw invalid("earlyStoppingPatience must not be negative");
		}
		OptimizerSettings.require(hp.optimizer(), hp.weightDecay());
		if (!LearningRates.SCHEDULES.contains(hp.schedule())) {
			throw invalid("schedule must be one of " + LearningRates.SCHEDULES);
		}
		Augmentation.require(hp.augment(), hp.augmentation());
		if (torchScript) {
			if (hp.imageSize() < 1 || hp.imageSize() > Architectures.MAX_IMAGE_SIZE) {
				throw new InvalidInputException("invalid_image_size",
						"imageSize must be between 1 and " + Architectures.MAX_IMAGE_SIZE);
			}
		}
		else {
			architectures.requireImageSize(request.architecture(), hp.imageSize());
		}
		if (request.baseModel() != null && !hp.architectureOptions().isEmpty()) {
			throw new InvalidInputException("unsupported_architecture_option", "a transfer job keeps its base's "
					+ "network: leave growthRate and compression out");
		}
		if (!torchScript) {
			architectures.requireOptions(request.architecture(), hp.architectureOptions());
		}
		String featureOutput = request.transferOrDefault().featureOutput();
		if (torchScript && featureOutput != null) {
			ModelVersion base = registry.resolve(request.baseModel());
			try (Model model = loadBase(base, true, Device.cpu())) {
				TorchScriptClassifier.find(model.getBlock(), featureOutput);
			}
			catch (IOException ex) {
				throw new InvalidInputException("invalid_base_model", ex.getMessage());
			}
		}
		return dataset;
	}

	@Override
	public TrainedModel train(TrainingJob job, Device device, Path work, JobListener listener) throws IOException {
		Hyperparameters hp = job.request().resolved();
		Dataset dataset = datasets.get(job.dataset());
		ModelVersion base = job.request().baseModel() == null ? null : registry.resolve(job.request().baseModel());
		TrainingRequest.Transfer transfer = job.request().transferOrDefault();
		boolean freezeAll = TrainingRequest.Transfer.FEATURE_EXTRACTION.equals(transfer.modeOrDefault());
		Preprocessing preprocessing = ImageClassifierTrainer.preprocessing(hp, base);
		ImageClassifierTrainer.Result result;
		Lineage.Transfer done = null;
		try (ImageFolder images = datasets.openImages(job.dataset());
				Model baseModel = base == null ? null : loadBase(base, !freezeAll, device)) {
			ImageClassifierTrainer.Base from = null;
			if (baseModel != null && base.isTorchScript()) {
				TorchScriptClassifier.Cut cut = TorchScriptClassifier.apply(baseModel.getBlock(),
						TorchScriptClassifier.find(baseModel.getBlock(), transfer.featureOutput()), hp.imageSize());
				from = new ImageClassifierTrainer.Base(baseModel.getBlock(), base.architecture(), true, freezeAll,
						transfer.baseLearningRateFactorOrDefault(), null, List.of(), null, null, List.of(),
						cut.width(), cut.fixedParameters());
				done = describe(transfer, null, cut);
			}
			else if (baseModel != null) {
				String baseCut = cutAt(base);
				String cutAt = transfer.cutAt() != null ? transfer.cutAt() : baseCut;
				List<Stage> stages = architectures.stages(base.architecture(), cutAt);
				Stage cut = transfer.cutAt() == null ? null
						: Architectures.requireStage(base.architecture(), stages, transfer.cutAt());
				from = new ImageClassifierTrainer.Base(baseModel.getBlock(), base.architecture(), false, freezeAll,
						transfer.baseLearningRateFactorOrDefault(), transfer.trainableLayers(), stages, cut,
						transfer.trainableStages(), architectures.auxiliaryTaps(base.architecture()), null, Set.of());
				done = describe(transfer, cutAt, null);
			}
			result = trainer.train(job.architecture(), hp, preprocessing, images, device, work, listener, from,
					job.request().bf16());
		}
		Map<String, Object> metrics = new LinkedHashMap<>(Map.of("bestValidationAccuracy",
				result.bestValidationAccuracy(), "bestEpoch", result.bestEpoch(), "perClassAccuracy",
				result.perClassAccuracy(), "confusionMatrix", result.confusionMatrix()));
		metrics.put("trainingPrecision", job.request().precisionOrDefault());
		if (result.test() != null) {
			metrics.put("testAccuracy", result.test().accuracy());
			metrics.put("perClassTestAccuracy", result.test().perClassAccuracy());
			metrics.put("testConfusionMatrix", result.test().confusionMatrix());
		}
		NewModelVersion spec = new NewModelVersion(Task.IMAGE_CLASSIFICATION, job.architecture(),
				List.of(1L, 3L, (long) hp.imageSize(), (long) hp.imageSize()), result.classes(), preprocessing, null,
				metrics,
				new Lineage(job.id(), dataset.id(), dataset.sha256(), base == null ? null : base.ref(), done), null,
				null, networkOptions(hp, base));
		return new TrainedModel(spec, result.modelDir());
	}

	/** The options the network was built with: the job's from scratch, the base's on one; null for none. */
	private static ArchitectureOptions networkOptions(Hyperparameters hp, ModelVersion base) {
		ArchitectureOptions options = base == null ? hp.architectureOptions() : base.architectureOptionsOrNone();
		return options.isEmpty() ? null : options;
	}

	/** The stage a base was cut at itself, which every version trained on it keeps; null for a whole one. */
	static String cutAt(ModelVersion base) {
		return base.lineage() == null || base.lineage().transfer() == null ? null
				: base.lineage().transfer().cutAt();
	}

	private static Lineage.Transfer describe(TrainingRequest.Transfer transfer, String cutAt,
			TorchScriptClassifier.Cut cut) {
		boolean fineTune = TrainingRequest.Transfer.FINE_TUNE.equals(transfer.modeOrDefault());
		return new Lineage.Transfer(transfer.modeOrDefault(), cutAt, transfer.trainableStages(),
				transfer.trainableLayers(), fineTune ? transfer.baseLearningRateFactorOrDefault() : null,
				cut == null ? null : cut.submodule(), cut == null ? null : cut.width(),
				cut == null ? null : cut.description());
	}

	/**
	 * Every class keeps a training image once validation and test images are held out of it (each split takes at
	 * least one image of every class); a zip split by its author gives test images from {@code train/}.
	 */
	private static void requireTestImages(Dataset dataset, Hyperparameters hp) {
		boolean authorSplit = dataset.splits() != null && dataset.splits().val() != null
				&& !dataset.splits().val().isEmpty();
		Map<String, Integer> counts = authorSplit ? dataset.splits().train() : dataset.counts();
		for (Map.Entry<String, Integer> count : counts.entrySet()) {
			int n = count.getValue();
			int held = Split.held(n, hp.testSplit()) + (authorSplit ? 0 : Split.held(n, hp.validationSplit()));
			if (n - held < 1) {
				throw new InvalidInputException("not_enough_images", "class '" + count.getKey() + "' has " + n
						+ " training images, too few to hold out validation and test images and still train on one");
			}
		}
	}

	/**
	 * The base as the engine loads it for serving; the trainer wraps its network in a fresh model of its own. A
	 * TorchScript base is always loaded with ordinary tensors: its classifier may be cut in place.
	 */
	private Model loadBase(ModelVersion base, boolean trains, Device device) throws IOException {
		if (base.isTorchScript()) {
			return trainableTorchScript(base, device);
		}
		NewModelVersion spec = new NewModelVersion(base.task(), base.architecture(), base.inputShape(), base.labels(),
				base.preprocessing(), null, null, base.lineage(), null, null, base.architectureOptions());
		return loader.load(spec, base.format(), registry.materialize(base), device);
	}

	/**
	 * A TorchScript module loaded for serving holds inference tensors, whose gradients can never be turned on
	 * (issue 21); DJL's {@code trainParam} loads it with ordinary ones.
	 */
	private Model trainableTorchScript(ModelVersion base, Device device) throws IOException {
		Model model = Model.newInstance(ImageClassifierTrainer.MODEL_NAME, device);
		try {
			model.load(registry.materialize(base), null, Map.of("trainParam", "true"));
			return model;
		}
		catch (MalformedModelException | IOException | RuntimeException ex) {
			model.close();
			throw new IOException("the TorchScript base " + base.ref() + " could not be loaded to train: "
					+ ex.getMessage(), ex);
		}
	}

	private static DeepserveException invalid(String detail) {
		return new InvalidInputException("invalid_hyperparameter", detail);
	}

}
