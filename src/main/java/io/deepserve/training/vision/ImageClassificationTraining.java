package io.deepserve.training.vision;

import java.io.IOException;
import java.nio.file.Path;
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
import io.deepserve.registry.Lineage;
import io.deepserve.registry.ModelRegistry;
import io.deepserve.registry.ModelVersion;
import io.deepserve.registry.NewModelVersion;
import io.deepserve.registry.Preprocessing;
import io.deepserve.registry.Task;
import io.deepserve.task.vision.Augmentation;
import io.deepserve.training.Hyperparameters;
import io.deepserve.training.JobListener;
import io.deepserve.training.TrainingJob;
import io.deepserve.training.TrainingRequest;
import io.deepserve.training.TrainingTask;

/** Image classification's training: an architecture from scratch on an images dataset, or a registered base's. */
@Component
class ImageClassificationTraining implements TrainingTask {

	private static final Set<String> OPTIMIZERS = Set.of("adam", "sgd");

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
		if (hp.earlyStoppingPatience() < 0) {
			throw invalid("earlyStoppingPatience must not be negative");
		}
		if (!OPTIMIZERS.contains(hp.optimizer())) {
			throw invalid("optimizer must be one of " + OPTIMIZERS);
		}
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
		try (ImageFolder images = datasets.openImages(job.dataset());
				Model baseModel = base == null ? null : loadBase(base, !freezeAll, device)) {
			ImageClassifierTrainer.Base from = baseModel == null ? null
					: new ImageClassifierTrainer.Base(baseModel.getBlock(), base.architecture(), base.isTorchScript(),
							freezeAll, transfer.baseLearningRateFactorOrDefault(), transfer.trainableLayers());
			result = trainer.train(job.architecture(), hp, preprocessing, images, device, work, listener, from);
		}
		NewModelVersion spec = new NewModelVersion(Task.IMAGE_CLASSIFICATION, job.architecture(),
				List.of(1L, 3L, (long) hp.imageSize(), (long) hp.imageSize()), result.classes(), preprocessing, null,
				Map.of("bestValidationAccuracy", result.bestValidationAccuracy(), "bestEpoch", result.bestEpoch(),
						"perClassAccuracy", result.perClassAccuracy(), "confusionMatrix", result.confusionMatrix()),
				new Lineage(job.id(), dataset.id(), dataset.sha256(), base == null ? null : base.ref()), null, null);
		return new TrainedModel(spec, result.modelDir());
	}

	/** The base as the engine loads it for serving; the trainer wraps its network in a fresh model of its own. */
	private Model loadBase(ModelVersion base, boolean trains, Device device) throws IOException {
		if (base.isTorchScript() && trains) {
			return trainableTorchScript(base, device);
		}
		NewModelVersion spec = new NewModelVersion(base.task(), base.architecture(), base.inputShape(), base.labels(),
				base.preprocessing(), null, null, null, null, null);
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
