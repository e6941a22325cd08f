package io.deepserve.inference.vision;

import java.awt.image.BufferedImage;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.deepserve.registry.Preprocessing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The stored preprocessing, pixel by pixel: centre crop, scaling and per-channel normalisation in RGB order. */
class ImagePreprocessorTests {

	@Test
	void cropsTheCentredSquareOfTheShortSideAndNormalisesEachChannel() {
		// 37 x 32: the centred 32 x 32 square starts at column 2 (rounded down, as training's validation crop)
		BufferedImage image = new BufferedImage(37, 32, BufferedImage.TYPE_INT_RGB);
		for (int x = 0; x < 37; x++) {
			for (int y = 0; y < 32; y++) {
				image.setRGB(x, y, (x * 6) << 16 | 100 << 8 | 200);
			}
		}
		Preprocessing p = new Preprocessing(32, null, List.of(0.5f, 0.25f, 0f), List.of(0.5f, 0.25f, 1f));

		float[] tensor = ImagePreprocessor.toTensor(image, p);

		assertThat(tensor).hasSize(3 * 32 * 32);
		for (int x = 0; x < 32; x++) {
			float red = ((x + 2) * 6 / 255f - 0.5f) / 0.5f;
			assertThat(tensor[5 * 32 + x]).as("red, column " + x).isCloseTo(red, within(1e-5f));
		}
		assertThat(tensor[1024 + 7]).as("green").isCloseTo((100 / 255f - 0.25f) / 0.25f, within(1e-5f));
		assertThat(tensor[2048 + 7]).as("blue").isCloseTo(200 / 255f, within(1e-5f));
	}

	@Test
	void resizesTheShortSideBeforeCropping() {
		// a 80 x 64 image, short side to 40 then a 32 crop: the crop covers the centred 51 x 51 source square
		BufferedImage image = new BufferedImage(80, 64, BufferedImage.TYPE_INT_RGB);
		for (int x = 0; x < 80; x++) {
			for (int y = 0; y < 64; y++) {
				image.setRGB(x, y, (x < 14 || x >= 66 || y < 6 || y >= 58) ? 0xff0000 : 0x0000ff);
			}
		}
		Preprocessing p = new Preprocessing(32, 40, List.of(0f, 0f, 0f), List.of(1f, 1f, 1f));

		float[] tensor = ImagePreprocessor.toTensor(image, p);

		// the red frame lies outside the crop, so no output pixel has any red in it
		for (int i = 0; i < 1024; i++) {
			assertThat(tensor[i]).as("red at " + i).isEqualTo(0f);
			assertThat(tensor[2048 + i]).as("blue at " + i).isEqualTo(1f);
		}
	}

}
