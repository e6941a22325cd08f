package io.deepserve.inference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;

import org.springframework.stereotype.Component;

import io.deepserve.error.DeepserveException;
import io.deepserve.error.InvalidInputException;
import io.deepserve.nn.Architectures;
import io.deepserve.nn.ParameterCounter;
import io.deepserve.nn.TransferHeads;
import io.deepserve.registry.ArtifactFormat;
import io.deepserve.registry.ArtifactInspector;
import io.deepserve.registry.ForecastSpec;
import io.deepserve.registry.Lineage;
import io.deepserve.registry.NewModelVersion;
import io.deepserve.registry.Task;

/**
 * Turns a verified artifact into a DJL {@link Model}. Also the registry's {@link ArtifactInspector}: an import is
 * accepted only if this can load it.
 */
@Component
public class ModelLoader implements ArtifactInspector {

	private static final Pattern PARAMS = Pattern.compile("^(.+)-\\d{4}\\.params$");

	private final EngineService engine;

	private final Architectures architectures;

	public ModelLoader(EngineService engine, Architectures architectures) {
		this.engine = engine;
		this.architectures = architectures;
	}

	/**
	 * Loads a model; the caller closes it.
	 * @param artifact a TorchScript file, or the extracted folder of a DJL model zip
	 */
	public Model load(NewModelVersion spec, ArtifactFormat format, Path artifact, Device device) {
		String engineName = engine.engine().getEngineName();
		Model model = Model.newInstance("model", device, engineName);
		try {
			if (format == ArtifactFormat.TORCHSCRIPT) {
				model.load(artifact);
			}
			else {
				model.setBlock(djlBlock(spec, model));
				model.load(artifact, paramsPrefix(artifact));
			}
			return model;
		}
		catch (IOException | MalformedModelException | RuntimeException ex) {
			model.close();
			if (ex instanceof DeepserveException api) {
				throw api;
			}
			throw new InvalidInputException("invalid_artifact",
					"the " + format.id() + " artifact could not be loaded by the engine: " + rootMessage(ex));
		}
	}

	/**
	 * A DJL model zip holds weights only: the block is rebuilt from the architecture named in the metadata. A
	 * classifier trained on a TorchScript base ({@code architecture: torchscript}) is that module and a linear head,
	 * both stored in the zip. A version trained by transfer is rebuilt as its lineage describes: cut at a stage, or
	 * with a TorchScript base's classifier turned into an identity whose features the head reads.
	 */
	private Block djlBlock(NewModelVersion spec, Model model) {
		if (spec.task() == Task.FORECASTING) {
			return forecaster(spec);
		}
		Lineage.Transfer transfer = spec.lineage() == null ? null : spec.lineage().transfer();
		if (NewModelVersion.TORCHSCRIPT.equals(spec.architecture()) && model.getNDManager() instanceof PtNDManager manager) {
			Block module = new PtSymbolBlock(manager);
			List<Block> body = transfer == null || transfer.featureWidth() == null ? List.of(module)
					: List.of(module, TransferHeads.narrow(transfer.featureWidth()));
			return TransferHeads.sequence(body, TransferHeads.newHead(spec.labels().size()));
		}
		if (architectures.find(spec.architecture()).isEmpty()) {
			throw new InvalidInputException("invalid_artifact", "a DJL model zip needs an architecture deepserve "
					+ "can build (see GET /api/v1/architectures), not '" + spec.architecture() + "'");
		}
		if (transfer != null) {
			return architectures.newTransferClassifier(spec.architecture(), spec.labels().size(), transfer.cutAt(),
					spec.architectureOptionsOrNone());
		}
		return architectures.newClassifier(spec.architecture(), spec.labels().size(), spec.architectureOptionsOrNone());
	}

	/**
	 * A forecaster's network is rebuilt from its architecture and the shape stored in its {@link ForecastSpec}: one
	 * input column for the target and one per feature.
	 */
	private Block forecaster(NewModelVersion spec) {
		ForecastSpec forecast = spec.forecast();
		if (forecast == null || forecast.hiddenSize() == null || forecast.layers() == null) {
			throw new InvalidInputException("invalid_artifact", "a forecaster's DJL model zip needs forecast.hiddenSize "
					+ "and forecast.layers (and forecast.features when it reads more than its target) to rebuild "
					+ "its network");
		}
		int features = 1 + (forecast.features() == null ? 0 : forecast.features().size());
		float dropout = forecast.dropout() == null ? 0 : forecast.dropout();
		return architectures.newForecaster(spec.architecture(), features, forecast.hiddenSize(), forecast.layers(),
				dropout, forecast.horizon());
	}

	/** {@code shapes-0003.params} is loaded with prefix {@code shapes}. */
	private static String paramsPrefix(Path dir) throws IOException {
		try (Stream<Path> files = Files.list(dir)) {
			return files.map(p -> PARAMS.matcher(p.getFileName().toString()))
				.filter(Matcher::matches)
				.map(m -> m.group(1))
				.findFirst()
				.orElseThrow(() -> new InvalidInputException("invalid_artifact",
						"a DJL model zip needs a <name>-NNNN.params file"));
		}
	}

	@Override
	public long inspect(NewModelVersion spec, ArtifactFormat format, Path file) {
		try (Model model = load(spec, format, file, Device.cpu())) {
			if (spec.task() == Task.IMAGE_CLASSIFICATION) {
				checkLabels(spec, format, model);
			}
			return ParameterCounter.count(model.getBlock());
		}
	}

	/** A classifier answering more or fewer scores than it has labels would fail every request, so it is refused. */
	private static void checkLabels(NewModelVersion spec, ArtifactFormat format, Model model) {
		int size = spec.preprocessing().imageSize();
		Shape answer;
		try (Predictor<NDList, NDList> predictor = model.newPredictor(new NoopTranslator(null));
				NDManager manager = model.getNDManager().newSubManager()) {
			NDList output = predictor.predict(new NDList(manager.zeros(new Shape(1, 3, size, size))));
			answer = output.isEmpty() ? new Shape() : output.get(0).getShape();
		}
		catch (TranslateException | RuntimeException ex) {
			throw new InvalidInputException("invalid_artifact", "the " + format.id() + " artifact could not run one "
					+ "(1, 3, " + size + ", " + size + ") image: " + rootMessage(ex));
		}
		int labels = spec.labels().size();
		if (answer.dimension() != 2 || answer.get(1) != labels) {
			throw new InvalidInputException("labels_mismatch", "the model answers one image with shape " + answer
					+ ", but the version has " + labels + " labels, so (1, " + labels + ") was expected");
		}
	}

	private static String rootMessage(Throwable ex) {
		Throwable t = ex;
		while (t.getCause() != null) {
			t = t.getCause();
		}
		String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
		int newline = message.indexOf('\n');
		return newline > 0 ? message.substring(0, newline) : message;
	}

}
