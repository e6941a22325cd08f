package io.deepserve.inference;

import java.io.IOException;
import java.nio.file.Path;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;

import org.springframework.stereotype.Component;

import io.deepserve.registry.ArtifactFormat;
import io.deepserve.registry.ArtifactInspector;
import io.deepserve.registry.NewModelVersion;
import io.deepserve.web.ApiException;

/**
 * Turns a verified artifact into a DJL {@link Model}. Also the registry's {@link ArtifactInspector}: an import is
 * accepted only if this can load it.
 */
@Component
public class ModelLoader implements ArtifactInspector {

	private final EngineService engine;

	public ModelLoader(EngineService engine) {
		this.engine = engine;
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
				throw ApiException.badRequest("invalid_artifact",
						"DJL model zips of architecture '" + spec.architecture() + "' cannot be loaded yet");
			}
			return model;
		}
		catch (IOException | MalformedModelException | RuntimeException ex) {
			model.close();
			if (ex instanceof ApiException api) {
				throw api;
			}
			throw ApiException.badRequest("invalid_artifact",
					"the " + format.id() + " artifact could not be loaded by the engine: " + rootMessage(ex));
		}
	}

	@Override
	public long parameterCount(NewModelVersion spec, ArtifactFormat format, Path file) {
		try (Model model = load(spec, format, file, Device.cpu())) {
			long count = 0;
			for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
				count += p.getValue().getArray().size();
			}
			return count;
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
