package io.deepserve.nn;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The networks are the published ones: torchvision's parameter counts at 1000 classes and 224 pixels, exactly
 * (counted from torchvision 0.14's models); the paper's GoogLeNet against the paper's count.
 */
class ParameterCountTests {

	Architectures architectures = new Architectures();

	@ParameterizedTest
	@CsvSource({ "resnet18, 11689512", "resnet34, 21797672", "resnet50, 25557032", "resnet101, 44549160",
			"resnet152, 60192808", "vgg11, 132863336", "vgg11_bn, 132868840", "vgg13, 133047848",
			"vgg13_bn, 133053736", "vgg16, 138357544", "vgg16_bn, 138365992", "vgg19, 143667240",
			"vgg19_bn, 143678248", "alexnet, 61100840", "densenet121, 7978856", "mobilenet_v2, 3504872",
			"googlenet_torchvision, 6624904" })
	void matchesTorchvisionAt224(String name, long reference) {
		long at224 = architectures.countClassifier(architectures.classifier(name), 1000, 224);

		assertThat(at224).isEqualTo(reference);
		assertThat(architectures.parameterCount(name, 1000, 224)).as("counted at the minimum size").isEqualTo(at224);
	}

	@Test
	void thePapersGoogLeNetMatchesItsPublishedCount() {
		long reference = 6998552;

		long at224 = architectures.countClassifier(architectures.classifier("googlenet"), 1000, 224);

		assertThat((double) at224).isCloseTo(reference, within(reference * 0.01));
	}

}
