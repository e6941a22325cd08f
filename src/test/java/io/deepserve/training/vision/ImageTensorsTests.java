package io.deepserve.training.vision;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ImageTensorsTests {

	private static final List<Float> ZERO = List.of(0f, 0f, 0f);

	private static final List<Float> ONE = List.of(1f, 1f, 1f);

	/** Validation sees what serving sees: the centred square of a wide image, not the whole image squeezed. */
	@Test
	void withoutAugmentationTheCentreSquareOfTheShortSideIsTaken() {
		BufferedImage wide = new BufferedImage(64, 32, BufferedImage.TYPE_INT_RGB);
		Graphics2D g = wide.createGraphics();
		g.setColor(Color.RED);
		g.fillRect(0, 0, 16, 32);
		g.setColor(Color.GREEN);
		g.fillRect(16, 0, 32, 32);
		g.setColor(Color.BLUE);
		g.fillRect(48, 0, 16, 32);
		g.dispose();
		float[] out = new float[3 * 8 * 8];
		new ImageTensors(8, ZERO, ONE).write(wide, null, out, 0);
		for (int i = 0; i < 64; i++) {
			assertThat(out[i]).as("red at " + i).isZero();
			assertThat(out[64 + i]).as("green at " + i).isEqualTo(1f);
			assertThat(out[128 + i]).as("blue at " + i).isZero();
		}
	}

	@Test
	void augmentationIsRandomButRepeatableForASeedAndStaysInRange() {
		BufferedImage image = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
		Graphics2D g = image.createGraphics();
		g.setColor(new Color(200, 120, 40));
		g.fillRect(0, 0, 32, 32);
		g.setColor(Color.WHITE);
		g.fillOval(8, 8, 16, 16);
		g.dispose();
		ImageTensors tensors = new ImageTensors(16, ZERO, ONE);
		float[] plain = new float[3 * 16 * 16];
		float[] a = new float[plain.length];
		float[] b = new float[plain.length];
		tensors.write(image, null, plain, 0);
		tensors.write(image, new Random(7), a, 0);
		tensors.write(image, new Random(7), b, 0);
		assertThat(a).isEqualTo(b).isNotEqualTo(plain);
		for (float value : a) {
			assertThat(value).isBetween(0f, 1f);
		}
	}

}
