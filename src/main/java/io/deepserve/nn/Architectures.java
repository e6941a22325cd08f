package io.deepserve.nn;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.loss.Loss;

import org.springframework.stereotype.Component;

import io.deepserve.error.DeepserveException;
import io.deepserve.error.InvalidInputException;
import io.deepserve.registry.ArchitectureOptions;
import io.deepserve.registry.Task;

/**
 * The architectures deepserve can train, by name: fresh, uninitialised DJL blocks and their parameter counts. Every
 * method checks its arguments and answers bad ones with a 400 {@link DeepserveException}, so callers may pass user input
 * straight through.
 */
@Component
public class Architectures {

	public static final int MIN_CLASSES = 2;

	public static final int MAX_CLASSES = 100_000;

	public static final int MAX_IMAGE_SIZE = 4096;

	/** The forecasting hyperparameters that {@link #list()}'s descriptions and the listed counts assume. */
	public static final int DEFAULT_WINDOW = 60;

	public static final int DEFAULT_FEATURES = 1;

	public static final int DEFAULT_HIDDEN_SIZE = 64;

	public static final int DEFAULT_LAYERS = 2;

	public static final int DEFAULT_HORIZON = 1;

	public static final int MAX_FEATURES = 10_000;

	public static final int MAX_HIDDEN_SIZE = 8192;

	public static final int MAX_LAYERS = 16;

	public static final int MAX_HORIZON = 10_000;

	public static final int MAX_GROWTH_RATE = 128;

	/** DenseNet's shape options, as {@code GET /api/v1/architectures} lists them. */
	static final List<ArchitectureOption> DENSENET_OPTIONS = List.of(
			new ArchitectureOption("growthRate", DenseNet.GROWTH, 1, false, MAX_GROWTH_RATE,
					"channels each dense layer adds (k); the stem has 2k filters and the bottleneck 4k"),
			new ArchitectureOption("compression", DenseNet.COMPRESSION, 0, true, 1,
					"fraction of channels each transition keeps (DenseNet-BC's theta, rounded down; 1 keeps all)"));

	/** Counts differ only by name and classes; a client cycling through class counts must not grow this. */
	private static final int CACHED_COUNTS = 512;

	private static final String GOOGLENET = "googlenet";

	public static final String SEQ2SEQ_ATTENTION = "seq2seq-attention";

	public static final String TRANSFORMER = "transformer";

	private static final Map<String, Definition> DEFINITIONS = Definition.all();

	private final Map<String, Long> counts = Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
		@Override
		protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
			return size() > CACHED_COUNTS;
		}
	});

	public List<ArchitectureInfo> list() {
		return DEFINITIONS.values().stream().map(Definition::info).toList();
	}

	public Optional<ArchitectureInfo> find(String name) {
		return Optional.ofNullable(name).map(DEFINITIONS::get).map(Definition::info);
	}

	/** @return the architecture, or throws {@code 400 unknown_architecture} */
	public ArchitectureInfo require(String name) {
		return definition(name).info();
	}

	/**
	 * A fresh, uninitialised image classifier taking {@code (batch, 3, size, size)} and giving
	 * {@code (batch, classes)} logits. GoogLeNet's training forward also gives its two auxiliary logits.
	 */
	public Block newClassifier(String name, int classes) {
		return newClassifier(name, classes, ArchitectureOptions.NONE);
	}

	/**
	 * The same, shaped by {@code options}.
	 * @throws DeepserveException {@code 400} as {@link #requireOptions} says
	 */
	public Block newClassifier(String name, int classes, ArchitectureOptions options) {
		Definition definition = classifier(name);
		requireClasses(classes);
		return definition.build(classes, new TorchvisionNames(), requireOptions(name, options));
	}

	/**
	 * Checks the shape options given for an architecture, returning them ({@link ArchitectureOptions#NONE} for null).
	 * @throws DeepserveException {@code 400 unsupported_architecture_option} for an option the architecture does
	 * not take, {@code 400 invalid_growth_rate} or {@code 400 invalid_compression} for one out of range
	 */
	public ArchitectureOptions requireOptions(String name, ArchitectureOptions options) {
		Definition definition = definition(name);
		ArchitectureOptions given = ArchitectureOptions.orNone(options);
		if (given.isEmpty()) {
			return given;
		}
		if (definition.shaped() == null) {
			throw new InvalidInputException("unsupported_architecture_option", name + " takes no growthRate or "
					+ "compression; architectures that do: " + String.join(", ", shapedArchitectures()));
		}
		if (given.growthRate() != null && (given.growthRate() < 1 || given.growthRate() > MAX_GROWTH_RATE)) {
			throw new InvalidInputException("invalid_growth_rate",
					"growthRate must be between 1 and " + MAX_GROWTH_RATE + ", not " + given.growthRate());
		}
		if (given.compression() != null && !(given.compression() > 0 && given.compression() <= 1)) {
			throw new InvalidInputException("invalid_compression",
					"compression must be above 0 and at most 1, not " + given.compression());
		}
		return given;
	}

	private static List<String> shapedArchitectures() {
		return DEFINITIONS.values().stream().filter(d -> d.shaped() != null).map(d -> d.info().name()).toList();
	}

	/**
	 * An image classifier holding the weights of a torchvision network of the same architecture, read by name from
	 * a safetensors file (as {@code scripts/export_pretrained.py} writes it) into arrays of {@code manager}.
	 * @throws DeepserveException {@code 400 invalid_weights} naming the first tensor that is missing, unexpected or
	 * of the wrong shape; {@code 400 labels_mismatch} when only the classifier's width differs from {@code classes};
	 * {@code 400 no_torchvision_layout} for an architecture with no torchvision counterpart
	 */
	public Block newPretrainedClassifier(String name, int classes, int imageSize, Path weights, NDManager manager) {
		return newPretrainedClassifier(name, classes, imageSize, weights, manager, ArchitectureOptions.NONE);
	}

	/**
	 * The same, shaped by {@code options}: a DenseNet of another growth rate G is torchvision's
	 * {@code DenseNet(growth_rate=G, num_init_features=2*G, block_config=...)}; torchvision has no compression but
	 * 0.5, so any other is {@code 400 no_torchvision_layout}.
	 */
	public Block newPretrainedClassifier(String name, int classes, int imageSize, Path weights, NDManager manager,
			ArchitectureOptions options) {
		return newPretrainedClassifier(name, classes, imageSize, weights, manager, DataType.FLOAT32, options);
	}

	/** Tests compare against torchvision in float64, where float32 rounding cannot hide a misplaced tensor. */
	Block newPretrainedClassifier(String name, int classes, int imageSize, Path weights, NDManager manager,
			DataType dataType) {
		return newPretrainedClassifier(name, classes, imageSize, weights, manager, dataType, ArchitectureOptions.NONE);
	}

	Block newPretrainedClassifier(String name, int classes, int imageSize, Path weights, NDManager manager,
			DataType dataType, ArchitectureOptions options) {
		Definition definition = classifier(name);
		requireClasses(classes);
		requireImageSize(name, imageSize);
		ArchitectureOptions given = requireOptions(name, options);
		if (!definition.torchvision()) {
			throw new InvalidInputException("no_torchvision_layout", name + " has no torchvision counterpart to "
					+ "take weights from; architectures that do: " + String.join(", ", torchvisionLayouts()));
		}
		if (given.compression() != null && given.compression() != (float) DenseNet.COMPRESSION) {
			throw new InvalidInputException("no_torchvision_layout", "torchvision's DenseNet halves the channels at "
					+ "every transition: only compression " + DenseNet.COMPRESSION + " has a torchvision layout, not "
					+ given.compression());
		}
		TorchvisionNames names = new TorchvisionNames();
		Block block = definition.build(classes, names, given);
		TorchvisionImporter.load(block, names, weights, manager, dataType, new Shape(1, 3, imageSize, imageSize));
		return block;
	}

	/**
	 * The network a transfer job saves on a base of this architecture: the base's layers up to its classifier, or
	 * up to and including stage {@code cutAt} followed by global average pooling, then a linear head of
	 * {@code classes}. Without a cut it has the structure of {@link #newClassifier} for every architecture built as
	 * one sequence; GoogLeNet's becomes one, without its auxiliary heads.
	 * @throws DeepserveException {@code 400 unknown_stage} for a stage the architecture does not have
	 */
	public Block newTransferClassifier(String name, int classes, String cutAt) {
		return newTransferClassifier(name, classes, cutAt, ArchitectureOptions.NONE);
	}

	/** The same, on a base shaped by {@code options}. */
	public Block newTransferClassifier(String name, int classes, String cutAt, ArchitectureOptions options) {
		Definition definition = classifier(name);
		requireClasses(classes);
		List<Block> body = TransferHeads.body(
				definition.build(classes, new TorchvisionNames(), requireOptions(name, options)), name);
		if (cutAt != null) {
			body = TransferHeads.cut(body, requireStage(name, definition.stages(), cutAt));
		}
		return TransferHeads.sequence(body, TransferHeads.newHead(classes));
	}

	/** An image classifier's named stages, in order, as ranges of its top-level layers ({@link TransferHeads#body}). */
	public List<Stage> stages(String name) {
		return classifier(name).stages();
	}

	/**
	 * The stages of an architecture's network cut after stage {@code cutAt}: those up to and including it; all of
	 * them for a null {@code cutAt}.
	 * @throws DeepserveException {@code 400 unknown_stage}
	 */
	public List<Stage> stages(String name, String cutAt) {
		List<Stage> stages = stages(name);
		if (cutAt == null) {
			return stages;
		}
		return stages.subList(0, stages.indexOf(requireStage(name, stages, cutAt)) + 1);
	}

	/** The top-level layers of {@link TransferHeads#body} whose outputs auxiliary classifiers read (GoogLeNet's). */
	public List<Integer> auxiliaryTaps(String name) {
		return classifier(name).auxiliaryTaps();
	}

	/** @throws DeepserveException {@code 400 unknown_stage} naming the stages there are */
	public static Stage requireStage(String architecture, List<Stage> stages, String name) {
		return stages.stream()
			.filter(stage -> stage.name().equals(name))
			.findFirst()
			.orElseThrow(() -> new InvalidInputException("unknown_stage", stages.isEmpty()
					? "a " + architecture + " base has no named stages"
					: "a " + architecture + " base has no stage '" + name + "'; its stages: "
							+ String.join(", ", stages.stream().map(Stage::name).toList())));
	}

	private static List<String> torchvisionLayouts() {
		return DEFINITIONS.values().stream().filter(Definition::torchvision).map(d -> d.info().name()).toList();
	}

	/**
	 * The loss to train a classifier with: softmax cross-entropy on its logits, and for GoogLeNet also on its
	 * auxiliary logits, weighted 0.3 as in the paper.
	 */
	public Loss classificationLoss(String name) {
		return GOOGLENET.equals(classifier(name).info().name()) ? new AuxiliaryHeadsLoss()
				: Loss.softmaxCrossEntropyLoss();
	}

	/** A fresh, uninitialised forecaster taking {@code (batch, window, features)}, giving {@code (batch, horizon)}. */
	public Block newForecaster(String cell, int features, int hiddenSize, int layers, float dropout, int horizon) {
		Definition definition = forecaster(cell);
		requireForecasting(features, hiddenSize, layers, horizon);
		if (!(dropout >= 0 && dropout < 1)) {
			throw new InvalidInputException("invalid_hyperparameter", "dropout must be at least 0 and below 1");
		}
		return definition.forecaster().build(features, hiddenSize, layers, dropout, horizon);
	}

	/**
	 * Trainable parameters of the inference network (GoogLeNet without its auxiliary heads). Every classifier
	 * ends in global or adaptive pooling, so the count is the same at every image size from the minimum up:
	 * {@code imageSize} is checked, and the count is taken at the minimum size, where it is cheapest.
	 */
	public long parameterCount(String name, int classes, int imageSize) {
		return parameterCount(name, classes, imageSize, ArchitectureOptions.NONE);
	}

	/** The same, shaped by {@code options}. */
	public long parameterCount(String name, int classes, int imageSize, ArchitectureOptions options) {
		Definition definition = classifier(name);
		requireClasses(classes);
		requireImageSize(name, imageSize);
		ArchitectureOptions given = requireOptions(name, options);
		int size = definition.info().minImageSize();
		return counts.computeIfAbsent(name + "/" + classes + "/" + given.growthRate() + "/" + given.compression(),
				key -> countClassifier(definition, classes, size, given));
	}

	/** Trainable parameters of a forecaster; the window length does not change them. */
	public long forecasterParameterCount(String cell, int features, int hiddenSize, int layers, int horizon) {
		Block block = newForecaster(cell, features, hiddenSize, layers, 0, horizon);
		try (NDManager manager = NDManager.newBaseManager()) {
			ParameterCounter.shape(block, manager, new Shape(1, DEFAULT_WINDOW, features));
			return ParameterCounter.count(block);
		}
	}

	/** Throws {@code 400 image_too_small} or {@code 400 invalid_image_size} unless the classifier takes the size. */
	public void requireImageSize(String name, int imageSize) {
		ArchitectureInfo info = classifier(name).info();
		if (imageSize > MAX_IMAGE_SIZE) {
			throw new InvalidInputException("invalid_image_size", "imageSize must be at most " + MAX_IMAGE_SIZE);
		}
		if (imageSize < info.minImageSize()) {
			throw new InvalidInputException("image_too_small",
					name + " needs images of at least " + info.minImageSize() + " pixels, not " + imageSize);
		}
	}

	public static void requireClasses(int classes) {
		if (classes < MIN_CLASSES || classes > MAX_CLASSES) {
			throw new InvalidInputException("invalid_classes",
					"classes must be between " + MIN_CLASSES + " and " + MAX_CLASSES + ", not " + classes);
		}
	}

	/** Uncached and at any size: lets tests hold the counts against the published ones at 224 pixels. */
	long countClassifier(Definition definition, int classes, int imageSize) {
		return countClassifier(definition, classes, imageSize, ArchitectureOptions.NONE);
	}

	long countClassifier(Definition definition, int classes, int imageSize, ArchitectureOptions options) {
		Block block = definition.build(classes, new TorchvisionNames(), options);
		try (NDManager manager = NDManager.newBaseManager()) {
			ParameterCounter.shape(block, manager, new Shape(1, 3, imageSize, imageSize));
			long count = ParameterCounter.count(block);
			if (block instanceof GoogLeNet googLeNet) {
				count -= googLeNet.auxiliaryHeads().stream().mapToLong(ParameterCounter::count).sum();
			}
			return count;
		}
	}

	Definition classifier(String name) {
		Definition definition = definition(name);
		if (!definition.info().classifiesImages()) {
			throw new InvalidInputException("wrong_task", name + " is a " + definition.info().task()
					+ " architecture, not an " + Task.IMAGE_CLASSIFICATION + " one");
		}
		return definition;
	}

	private Definition forecaster(String name) {
		Definition definition = definition(name);
		if (definition.forecaster() == null) {
			throw new InvalidInputException("wrong_task", name + " is a " + definition.info().task()
					+ " architecture, not a " + Task.FORECASTING + " one");
		}
		return definition;
	}

	private static Definition definition(String name) {
		Definition definition = name == null ? null : DEFINITIONS.get(name);
		if (definition == null) {
			throw new InvalidInputException("unknown_architecture",
					"unknown architecture '" + name + "'; known: " + String.join(", ", DEFINITIONS.keySet()));
		}
		return definition;
	}

	private static void requireForecasting(int features, int hiddenSize, int layers, int horizon) {
		requireRange("features", features, MAX_FEATURES);
		requireRange("hiddenSize", hiddenSize, MAX_HIDDEN_SIZE);
		requireRange("layers", layers, MAX_LAYERS);
		requireRange("horizon", horizon, MAX_HORIZON);
	}

	private static void requireRange(String what, int value, int max) {
		if (value < 1 || value > max) {
			throw new InvalidInputException("invalid_hyperparameter",
					what + " must be between 1 and " + max + ", not " + value);
		}
	}

	/** Builds a classifier of some width, recording torchvision's names for its layers where it has them. */
	@FunctionalInterface
	interface Classifier {

		Block build(int classes, TorchvisionNames names);

	}

	/** Builds a forecaster taking {@code (batch, window, features)} and giving {@code (batch, horizon)}. */
	@FunctionalInterface
	interface Forecaster {

		Block build(int features, int hiddenSize, int layers, float dropout, int horizon);

	}

	/** Builds a classifier of some width whose shape takes DenseNet's options. */
	@FunctionalInterface
	interface Shaped {

		Block build(int classes, TorchvisionNames names, int growthRate, double compression);

	}

	/**
	 * One architecture: exactly one of {@code classifier} and {@code forecaster} is set; {@code torchvision} when the
	 * classifier names all its layers as torchvision does; {@code shaped} when it also takes shape options.
	 */
	record Definition(ArchitectureInfo info, Classifier classifier, boolean torchvision,
			Forecaster forecaster, List<Stage> stages, List<Integer> auxiliaryTaps, Shaped shaped) {

		Definition(ArchitectureInfo info, Classifier classifier, boolean torchvision, Forecaster forecaster) {
			this(info, classifier, torchvision, forecaster, null, layout(classifier));
		}

		/** A torchvision classifier that also takes shape options. */
		static Definition withOptions(ArchitectureInfo info, Classifier classifier, Shaped shaped) {
			return new Definition(info, classifier, true, null, shaped, layout(classifier));
		}

		private Definition(ArchitectureInfo info, Classifier classifier, boolean torchvision,
				Forecaster forecaster, Shaped shaped, TorchvisionNames layout) {
			this(layout == null ? info : new ArchitectureInfo(info.name(), info.task(), info.defaultImageSize(),
					info.minImageSize(), info.description(), layout.stages().stream().map(Stage::name).toList(),
					shaped == null ? List.of() : DENSENET_OPTIONS),
					classifier, torchvision, forecaster, layout == null ? List.of() : layout.stages(),
					layout == null ? List.of() : layout.auxiliaryTaps(), shaped);
		}

		/**
		 * The classifier with the options (already checked) applied; without any, exactly the fixed layout, so that
		 * a default DenseNet is torchvision's whatever its options code would give.
		 */
		Block build(int classes, TorchvisionNames names, ArchitectureOptions options) {
			if (shaped == null || options.isEmpty()) {
				return classifier.build(classes, names);
			}
			int growth = options.growthRate() != null ? options.growthRate() : DenseNet.GROWTH;
			double compression = options.compression() != null ? options.compression() : DenseNet.COMPRESSION;
			return shaped.build(classes, names, growth, compression);
		}

		/** The stages are recorded while the network is built; building one (no arrays yet) is cheap. */
		private static TorchvisionNames layout(Classifier classifier) {
			if (classifier == null) {
				return null;
			}
			TorchvisionNames names = new TorchvisionNames();
			classifier.build(MIN_CLASSES, names);
			return names;
		}

		static Map<String, Definition> all() {
			Map<String, Definition> all = new LinkedHashMap<>();
			torchvision(all, "resnet18", 32, ResNet::resnet18, "ResNet-18 (He et al. 2015), torchvision layout");
			torchvision(all, "resnet34", 32, ResNet::resnet34, "ResNet-34 (He et al. 2015), torchvision layout");
			torchvision(all, "resnet50", 32, ResNet::resnet50,
					"ResNet-50 (He et al. 2015), bottleneck blocks, torchvision layout");
			torchvision(all, "resnet101", 32, ResNet::resnet101,
					"ResNet-101 (He et al. 2015), bottleneck blocks, torchvision layout");
			torchvision(all, "resnet152", 32, ResNet::resnet152,
					"ResNet-152 (He et al. 2015), bottleneck blocks, torchvision layout");
			all.put(GOOGLENET, new Definition(imageInfo(GOOGLENET, 32,
					"GoogLeNet as in the paper (Szegedy et al. 2014): 5x5 convolutions, no batch norm, with its two "
							+ "auxiliary classifiers during training; the parameter count is the inference "
							+ "network's. Without batch norm it needs a low learning rate (Adam 1e-4; at 1e-3 it falls back "
							+ "to the class prior). Not torchvision's: see googlenet_torchvision"),
					GoogLeNet::new, false, null));
			torchvision(all, "googlenet_torchvision", 32, TorchvisionGoogLeNet::googlenet,
					"GoogLeNet in torchvision's layout: batch norm, 3x3 in place of 5x5, no auxiliary classifiers");
			vgg(all, "vgg11", "VGG-11 (configuration A)", Vgg::vgg11);
			vgg(all, "vgg13", "VGG-13 (configuration B)", Vgg::vgg13);
			vgg(all, "vgg16", "VGG-16 (configuration D)", Vgg::vgg16);
			vgg(all, "vgg19", "VGG-19 (configuration E)", Vgg::vgg19);
			own(all, "vgg11-lrn", 32, Vgg::vgg11Lrn, "VGG-11 A-LRN (Simonyan and Zisserman 2014): configuration A with "
					+ "local response normalisation after the first convolution; not a torchvision network");
			torchvision(all, "alexnet", AlexNet.MIN_IMAGE_SIZE, AlexNet::alexnet,
					"AlexNet, torchvision's single-tower layout");
			own(all, "alexnet-paper", AlexNet.MIN_IMAGE_SIZE, AlexNet::alexnetPaper,
					"AlexNet as published (Krizhevsky et al. 2012): 96/256/384/384/256 filters, the two-GPU "
							+ "grouping, local response normalisation after the first two convolutions, "
							+ "overlapping pools, dropout 0.5 after both 4096-unit layers; not a torchvision network");
			denseNet(all, "densenet121", DenseNet::densenet121, "DenseNet-121", 6, 12, 24, 16);
			denseNet(all, "densenet169", DenseNet::densenet169, "DenseNet-169", 6, 12, 32, 32);
			denseNet(all, "densenet201", DenseNet::densenet201, "DenseNet-201", 6, 12, 48, 32);
			torchvision(all, "mobilenet_v2", 32, MobileNetV2::mobilenetV2,
					"MobileNetV2 (Sandler et al. 2018), width 1.0, torchvision layout");
			for (RecurrentForecaster.Cell cell : RecurrentForecaster.Cell.values()) {
				String name = cell.name().toLowerCase(Locale.ROOT);
				String description = String.format(Locale.ROOT,
						"%s over a (window, features) series, then a linear head predicting all horizon steps "
								+ "from the last step; parameters listed for window %d, %d feature, hidden size %d, "
								+ "%d layers, horizon %d",
						cell.name(), DEFAULT_WINDOW, DEFAULT_FEATURES, DEFAULT_HIDDEN_SIZE, DEFAULT_LAYERS,
						DEFAULT_HORIZON);
				forecaster(all, name, description,
						(features, hiddenSize, layers, dropout, horizon) -> new RecurrentForecaster(cell, hiddenSize,
								layers, dropout, horizon));
			}
			forecaster(all, SEQ2SEQ_ATTENTION, String.format(Locale.ROOT,
					"Encoder-decoder LSTM with attention over the window: the decoder emits one step at a time from "
							+ "its state and an attention-weighted sum of the encoder's outputs, reading its previous "
							+ "forecast; hiddenSize and layers apply to both LSTMs; parameters listed for %s",
					countedFor()),
					(features, hiddenSize, layers, dropout, horizon) -> new AttentionSeq2Seq(hiddenSize, layers,
							dropout, horizon));
			forecaster(all, TRANSFORMER, String.format(Locale.ROOT,
					"Transformer encoder over the window: rows projected to hiddenSize dimensions, sinusoidal "
							+ "positions, layers post-norm encoder layers (multi-head self-attention with 4 heads "
							+ "where hiddenSize divides by 4, else 2 or 1; ReLU feed-forward of 4 x hiddenSize), then "
							+ "a linear head predicting all horizon steps from the last position; parameters listed "
							+ "for %s",
					countedFor()),
					(features, hiddenSize, layers, dropout, horizon) -> new TransformerForecaster(hiddenSize, layers,
							dropout, horizon));
			return Collections.unmodifiableMap(all);
		}

		private static void forecaster(Map<String, Definition> all, String name, String description,
				Forecaster forecaster) {
			all.put(name, new Definition(new ArchitectureInfo(name, Task.FORECASTING, null, null, description), null,
					false, forecaster));
		}

		private static String countedFor() {
			return String.format(Locale.ROOT, "window %d, %d feature, hidden size %d, %d layers, horizon %d",
					DEFAULT_WINDOW, DEFAULT_FEATURES, DEFAULT_HIDDEN_SIZE, DEFAULT_LAYERS, DEFAULT_HORIZON);
		}

		/** A plain and a batch-norm variant, as torchvision has them. */
		private static void vgg(Map<String, Definition> all, String name, String title, VggBuilder vgg) {
			String paper = " (Simonyan and Zisserman 2014), torchvision layout";
			torchvision(all, name, 32, (classes, names) -> vgg.build(classes, false, names), title + paper);
			torchvision(all, name + "_bn", 32, (classes, names) -> vgg.build(classes, true, names),
					title + " with batch norm after every convolution" + paper);
		}

		private static void torchvision(Map<String, Definition> all, String name, int minImageSize,
				Classifier classifier, String description) {
			all.put(name, new Definition(imageInfo(name, minImageSize, description), classifier, true, null));
		}

		private static void denseNet(Map<String, Definition> all, String name, Classifier classifier, String title,
				int... layersPerBlock) {
			all.put(name, Definition.withOptions(imageInfo(name, 32, title + " (Huang et al. 2017), torchvision "
					+ "layout at the defaults; growthRate and compression are options"), classifier,
					DenseNet.shaped(layersPerBlock)));
		}

		/** An image classifier with no torchvision counterpart to import weights from. */
		private static void own(Map<String, Definition> all, String name, int minImageSize, Classifier classifier,
				String description) {
			all.put(name, new Definition(imageInfo(name, minImageSize, description), classifier, false, null));
		}

		private static ArchitectureInfo imageInfo(String name, int minImageSize, String description) {
			return new ArchitectureInfo(name, Task.IMAGE_CLASSIFICATION, 224, minImageSize, description);
		}

		@FunctionalInterface
		private interface VggBuilder {

			Block build(int classes, boolean batchNorm, TorchvisionNames names);

		}

	}

}
