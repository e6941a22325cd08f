package io.deepserve.task.vision;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.deepserve.error.DeepserveException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AugmentationTests {

	@Test
	void leftOutMeansTheDefaults() {
		Augmentation defaults = Augmentation.require(true, null);

		assertThat(defaults.flipOrDefault()).isTrue();
		assertThat(defaults.colorJitterOrDefault()).isTrue();
		assertThat(defaults.pcaColorOrDefault()).isFalse();
		assertThat(defaults.cropOrDefault().scaleOrDefault()).containsExactly(0.6, 1.0);
		assertThat(defaults.cropOrDefault().ratio()).isNull();
	}

	@Test
	void rangesThatAreNotRangesAreRefused() {
		assertInvalid(new Augmentation(new Augmentation.Crop(List.of(0.5, 1.5), null), null, null, null));
		assertInvalid(new Augmentation(new Augmentation.Crop(List.of(0.9, 0.5), null), null, null, null));
		assertInvalid(new Augmentation(new Augmentation.Crop(List.of(0.0, 1.0), null), null, null, null));
		assertInvalid(new Augmentation(new Augmentation.Crop(List.of(0.5), null), null, null, null));
		assertInvalid(new Augmentation(new Augmentation.Crop(null, List.of(1.5, 0.5)), null, null, null));
		assertInvalid(new Augmentation(new Augmentation.Crop(null, List.of(0.0, 1.0)), null, null, null));
		assertInvalid(new Augmentation(new Augmentation.Crop(null, List.of(0.75, 1.33, 2.0)), null, null, null));

		Augmentation fine = new Augmentation(new Augmentation.Crop(List.of(0.08, 1.0), List.of(0.75, 4 / 3.0)), false,
				false, true);
		assertThat(Augmentation.require(true, fine)).isSameAs(fine);
	}

	@Test
	void settingsBesideAugmentFalseAreRefused() {
		assertThatThrownBy(() -> Augmentation.require(false, new Augmentation(null, null, null, true)))
			.isInstanceOfSatisfying(DeepserveException.class,
					ex -> assertThat(ex.code()).isEqualTo("invalid_augmentation"));
		assertThat(Augmentation.require(false, null)).isNotNull();
	}

	private static void assertInvalid(Augmentation augmentation) {
		assertThatThrownBy(() -> Augmentation.require(true, augmentation))
			.isInstanceOfSatisfying(DeepserveException.class,
					ex -> assertThat(ex.code()).isEqualTo("invalid_augmentation"));
	}

}
