package io.deepserve.nn;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The advertised minimum image size is real: every classifier trains on images that small. */
class ClassifierForwardTests {

	Architectures architectures = new Architectures();

	/**
	 * VGG-13/16/19 are left out: they have VGG-11's pools, and 120M weights take long to initialise; so are
	 * ResNet-101/152, which have ResNet-50's strides.
	 */
	@ParameterizedTest
	@ValueSource(strings = { "resnet18", "resnet34", "resnet50", "googlenet", "googlenet_torchvision", "vgg11",
			"vgg11_bn", "vgg11-lrn", "alexnet", "alexnet-paper", "densenet121", "mobilenet_v2" })
	void trainsOnImagesOfTheMinimumSize(String name) {
		int size = architectures.require(name).minImageSize();
		Block net = architectures.newClassifier(name, 3);
		try (NDManager manager = NDManager.newBaseManager()) {
			// batch 2: batch norm cannot train on a single 1x1 value per channel
			Shape input = new Shape(2, 3, size, size);
			net.initialize(manager, DataType.FLOAT32, input);
			NDList images = new NDList(manager.randomUniform(0, 1, input));

			NDList logits = net.forward(new ParameterStore(manager, false), images, true);

			assertThat(logits.head().getShape()).isEqualTo(new Shape(2, 3));
		}
	}

}
