package io.deepserve.nn;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.deepserve.error.InvalidInputException;
import io.deepserve.registry.ArchitectureOptions;
import io.deepserve.registry.Task;


@RestController
@RequestMapping("/api/v1/architectures")
@Tag(name = "architectures", description = "The networks deepserve can train")
class ArchitectureController {

	private final Architectures architectures;

	ArchitectureController(Architectures architectures) {
		this.architectures = architectures;
	}

	@GetMapping
	@Operation(summary = "List the trainable architectures with their parameter counts",
			description = "Image classifiers are counted for the given classes and image size (GoogLeNet without "
					+ "its training-only auxiliary heads); an architecture whose minimum image size is above "
					+ "imageSize has parameters null. Forecasters are counted for window "
					+ Architectures.DEFAULT_WINDOW + ", " + Architectures.DEFAULT_FEATURES + " feature, hidden size "
					+ Architectures.DEFAULT_HIDDEN_SIZE + ", " + Architectures.DEFAULT_LAYERS + " layers, horizon "
					+ Architectures.DEFAULT_HORIZON + "; countedFor says what each count assumes. stages names an "
					+ "image classifier's stages in order, for a transfer job's trainableStages and cutAt. options lists "
					+ "the shape options an architecture takes as hyperparameters (DenseNet's growthRate and "
					+ "compression); growthRate and compression here count those architectures at those values.")
	List<ArchitectureSummary> list(
			@Parameter(description = "number of classes, " + Architectures.MIN_CLASSES + " to "
					+ Architectures.MAX_CLASSES) @RequestParam(defaultValue = "10") int classes,
			@Parameter(description = "square image size in pixels, up to "
					+ Architectures.MAX_IMAGE_SIZE) @RequestParam(defaultValue = "224") int imageSize,
			@Parameter(description = "DenseNet's growth rate for the counts, 1 to " + Architectures.MAX_GROWTH_RATE
					+ " (32)") @RequestParam(required = false) Integer growthRate,
			@Parameter(description = "DenseNet's transition compression for the counts, above 0 and at most 1 "
					+ "(0.5)") @RequestParam(required = false) Float compression) {
		Architectures.requireClasses(classes);
		requireImageSize(imageSize);
		ArchitectureOptions options = new ArchitectureOptions(growthRate, compression);
		return architectures.list().stream().map(info -> summary(info, classes, imageSize, options)).toList();
	}

	private void requireImageSize(int imageSize) {
		int smallest = architectures.list()
			.stream()
			.filter(ArchitectureInfo::classifiesImages)
			.mapToInt(ArchitectureInfo::minImageSize)
			.min()
			.orElseThrow();
		if (imageSize < smallest) {
			throw new InvalidInputException("image_too_small", "imageSize must be at least " + smallest);
		}
		if (imageSize > Architectures.MAX_IMAGE_SIZE) {
			throw new InvalidInputException("invalid_image_size",
					"imageSize must be at most " + Architectures.MAX_IMAGE_SIZE);
		}
	}

	private ArchitectureSummary summary(ArchitectureInfo info, int classes, int imageSize,
			ArchitectureOptions options) {
		Map<String, Number> countedFor = new LinkedHashMap<>();
		Long parameters;
		if (info.classifiesImages()) {
			countedFor.put("classes", classes);
			countedFor.put("imageSize", imageSize);
			ArchitectureOptions applied = info.options().isEmpty() ? ArchitectureOptions.NONE : options;
			for (ArchitectureOption option : info.options()) {
				Number given = "growthRate".equals(option.name()) ? (Number) options.growthRate()
						: (Number) options.compression();
				countedFor.put(option.name(), given != null ? given : option.defaultValue());
			}
			parameters = imageSize < info.minImageSize() ? null
					: architectures.parameterCount(info.name(), classes, imageSize, applied);
		}
		else {
			countedFor.put("window", Architectures.DEFAULT_WINDOW);
			countedFor.put("features", Architectures.DEFAULT_FEATURES);
			countedFor.put("hiddenSize", Architectures.DEFAULT_HIDDEN_SIZE);
			countedFor.put("layers", Architectures.DEFAULT_LAYERS);
			countedFor.put("horizon", Architectures.DEFAULT_HORIZON);
			parameters = architectures.forecasterParameterCount(info.name(), Architectures.DEFAULT_FEATURES,
					Architectures.DEFAULT_HIDDEN_SIZE, Architectures.DEFAULT_LAYERS, Architectures.DEFAULT_HORIZON);
		}
		return new ArchitectureSummary(info.name(), info.task(), info.defaultImageSize(), info.minImageSize(),
				info.description(), parameters, countedFor, info.stages(), info.options());
	}

	/** Every key is always present, null where it does not apply, so clients see one shape. */
	@JsonInclude(JsonInclude.Include.ALWAYS)
	record ArchitectureSummary(String name, Task task, Integer defaultImageSize, Integer minImageSize,
			String description, Long parameters, Map<String, Number> countedFor, List<String> stages,
			List<ArchitectureOption> options) {
	}

}
