package io.deepserve.nn;

import org.junit.jupiter.api.Test;

import io.deepserve.error.DeepserveException;
import io.deepserve.registry.ArchitectureOptions;
import io.deepserve.registry.Task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArchitecturesTests {

	Architectures architectures = new Architectures();

	@Test
	void listsEveryArchitectureByTask() {
		assertThat(architectures.list()).extracting(ArchitectureInfo::name)
			.containsExactly("resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "googlenet",
					"googlenet_torchvision", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19",
					"vgg19_bn", "vgg11-lrn", "alexnet", "alexnet-paper", "densenet121", "densenet169", "densenet201",
					"mobilenet_v2", "lstm", "gru", "rnn", "seq2seq-attention",
					"transformer");
		assertThat(architectures.find("lstm")).hasValueSatisfying(lstm -> {
			assertThat(lstm.task()).isEqualTo(Task.FORECASTING);
			assertThat(lstm.defaultImageSize()).isNull();
			assertThat(lstm.minImageSize()).isNull();
		});
		assertThat(architectures.find("alexnet")).hasValueSatisfying(alexnet -> {
			assertThat(alexnet.task()).isEqualTo(Task.IMAGE_CLASSIFICATION);
			assertThat(alexnet.defaultImageSize()).isEqualTo(224);
			assertThat(alexnet.minImageSize()).isEqualTo(63);
		});
		assertThat(architectures.find("lenet")).isEmpty();
	}

	@Test
	void countsOnlyChangeWithTheClasses() {
		long ten = architectures.parameterCount("resnet18", 10, 224);

		assertThat(architectures.parameterCount("resnet18", 10, 32)).isEqualTo(ten);
		assertThat(architectures.parameterCount("resnet18", 11, 224)).isEqualTo(ten + 512 + 1);
	}

	@Test
	void rejectsWhatTheNetworksCannotTake() {
		assertCode(() -> architectures.newClassifier("lenet", 10), "unknown_architecture");
		assertCode(() -> architectures.newClassifier("lstm", 10), "wrong_task");
		assertCode(() -> architectures.newForecaster("resnet18", 1, 64, 2, 0, 1), "wrong_task");
		assertCode(() -> architectures.newClassifier("resnet18", 1), "invalid_classes");
		assertCode(() -> architectures.parameterCount("vgg16", 100_001, 224), "invalid_classes");
		assertCode(() -> architectures.parameterCount("alexnet", 10, 62), "image_too_small");
		assertCode(() -> architectures.parameterCount("resnet18", 10, 4097), "invalid_image_size");
		assertCode(() -> architectures.newForecaster("gru", 0, 64, 2, 0, 1), "invalid_hyperparameter");
		assertCode(() -> architectures.newForecaster("gru", 1, 64, 2, 1, 1), "invalid_hyperparameter");
	}

	@Test
	void refusesDenseNetOptionsOutOfRangeOrWhereTheyDoNotApply() {
		assertCode(() -> architectures.newClassifier("densenet121", 10, new ArchitectureOptions(0, null)),
				"invalid_growth_rate");
		assertCode(() -> architectures.parameterCount("densenet169", 10, 64, new ArchitectureOptions(129, null)),
				"invalid_growth_rate");
		assertCode(() -> architectures.newClassifier("densenet121", 10, new ArchitectureOptions(null, 0f)),
				"invalid_compression");
		assertCode(() -> architectures.newClassifier("densenet121", 10, new ArchitectureOptions(null, 1.01f)),
				"invalid_compression");
		assertCode(() -> architectures.newClassifier("densenet121", 10, new ArchitectureOptions(null, Float.NaN)),
				"invalid_compression");
		assertCode(() -> architectures.newClassifier("resnet18", 10, new ArchitectureOptions(12, null)),
				"unsupported_architecture_option");
		assertThat(architectures.requireOptions("densenet201", new ArchitectureOptions(128, 1f)).growthRate())
			.isEqualTo(128);
	}

	@Test
	void onlyDenseNetsListOptions() {
		assertThat(architectures.require("densenet169").options()).extracting(ArchitectureOption::name)
			.containsExactly("growthRate", "compression");
		assertThat(architectures.require("densenet169").options()).extracting(ArchitectureOption::defaultValue)
			.containsExactly(32, 0.5);
		assertThat(architectures.require("resnet50").options()).isEmpty();
	}

	private static void assertCode(Runnable call, String code) {
		assertThatThrownBy(call::run).isInstanceOfSatisfying(DeepserveException.class,
				ex -> assertThat(ex.code()).isEqualTo(code));
	}

}
