package io.deepserve.inference;

import java.io.IOException;
import java.nio.file.Path;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.nn.Block;

import org.springframework.stereotype.Component;

import io.deepserve.error.InvalidInputException;
import io.deepserve.error.ServiceFailureException;
import io.deepserve.nn.Architectures;
import io.deepserve.registry.NewModelVersion;
import io.deepserve.registry.Task;
import io.deepserve.registry.WeightsImporter;

/** Builds the named architecture, fills it from a torchvision weights file and saves it as a DJL model. */
@Component
class TorchvisionWeightsImporter implements WeightsImporter {

	private static final String MODEL_NAME = "model";

	private final EngineService engine;

	private final Architectures architectures;

	TorchvisionWeightsImporter(EngineService engine, Architectures architectures) {
		this.engine = engine;
		this.architectures = architectures;
	}

	@Override
	public void writeModel(NewModelVersion spec, Path weights, Path modelDir) {
		if (spec.task() != Task.IMAGE_CLASSIFICATION) {
			throw new InvalidInputException("invalid_artifact",
					"a weights file imports as an image classifier, not a " + spec.task() + " model");
		}
		try (Model model = Model.newInstance(MODEL_NAME, Device.cpu(), engine.engine().getEngineName())) {
			Block block = architectures.newPretrainedClassifier(spec.architecture(), spec.labels().size(),
					spec.preprocessing().imageSize(), weights, model.getNDManager(), spec.architectureOptionsOrNone());
			model.setBlock(block);
			model.save(modelDir, MODEL_NAME);
		}
		catch (IOException ex) {
			throw new ServiceFailureException("import_failed", "the imported model could not be saved", ex);
		}
	}

}
