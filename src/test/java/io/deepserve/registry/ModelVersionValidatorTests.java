package io.deepserve.registry;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.deepserve.error.InvalidInputException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelVersionValidatorTests {

	@Test
	void everyResizeMethodIsAcceptedAndLeavingItOutToo() {
		for (String method : List.of("bilinear", "antialias", "bicubic")) {
			assertThatCode(() -> ModelVersionValidator.validate(classifier(method))).as(method)
				.doesNotThrowAnyException();
		}
		assertThatCode(() -> ModelVersionValidator.validate(classifier(null))).doesNotThrowAnyException();
	}

	@Test
	void anUnknownResizeMethodIsInvalidMetadata() {
		assertThatThrownBy(() -> ModelVersionValidator.validate(classifier("lanczos")))
			.isInstanceOfSatisfying(InvalidInputException.class,
					ex -> assertThat(ex.code()).isEqualTo("invalid_metadata"))
			.hasMessageContaining("preprocessing.resizeMethod must be one of [bilinear, antialias, bicubic]");
	}

	private static NewModelVersion classifier(String resizeMethod) {
		return new NewModelVersion(Task.IMAGE_CLASSIFICATION, "torchscript", null, List.of("cat", "dog"),
				new Preprocessing(224, 256, null, null, resizeMethod), null, null, null, null, null);
	}

}
