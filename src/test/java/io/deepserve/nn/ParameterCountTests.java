package io.deepserve.nn;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The networks are the published ones: torchvision's parameter counts at 1000 classes and 224 pixels. */
class ParameterCountTests {

	Architectures architectures = new Architectures();

	@ParameterizedTest
	@CsvSource({ "resnet18, 11689512", "resnet34, 21797672", "resnet50, 25557032", "vgg11, 132863336",
			"vgg16, 138357544", "alexnet, 61100840", "densenet121, 7978856", "googlenet, 6998552" })
	void matchesTheReferenceAt224(String name, long reference) {
		long at224 = architectures.countClassifier(architectures.classifier(name), 1000, 224);

		assertThat((double) at224).isCloseTo(reference, within(reference * 0.01));
		assertThat(architectures.parameterCount(name, 1000, 224)).as("counted at the minimum size").isEqualTo(at224);
	}

}
