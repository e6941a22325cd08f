package io.deepserve.task.vision;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;

import io.deepserve.registry.Preprocessing;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each resize method against what Pillow, torch and torchvision make of the same generated 97 x 61 image
 * (fixtures written by {@code scripts/make-resize-fixtures.py}): Pillow's pixel for pixel, torch's within 1.
 */
class ResamplingTests {

	private static final int SOURCE_WIDTH = 97;

	private static final int SOURCE_HEIGHT = 61;

	@Test
	void antialiasIsPillowsBilinear() throws IOException {
		int[] out = resize(Preprocessing.ANTIALIAS, 0, 0, SOURCE_WIDTH, SOURCE_HEIGHT, 32, 24);
		assertThat(maxDifference(out, fixture("pil-bilinear-32x24.png"))).isZero();
	}

	@Test
	void bicubicIsPillowsBicubic() throws IOException {
		int[] out = resize(Preprocessing.BICUBIC, 0, 0, SOURCE_WIDTH, SOURCE_HEIGHT, 32, 24);
		assertThat(maxDifference(out, fixture("pil-bicubic-32x24.png"))).isZero();
	}

	@Test
	void cropsAreResizedAsPillowResizesABox() throws IOException {
		int[] down = resize(Preprocessing.ANTIALIAS, 10, 5, 60, 50, 20, 20);
		assertThat(maxDifference(down, fixture("pil-bilinear-box-20x20.png"))).isZero();
		int[] up = resize(Preprocessing.BICUBIC, 3, 2, 33, 22, 60, 40);
		assertThat(maxDifference(up, fixture("pil-bicubic-box-60x40.png"))).isZero();
	}

	@Test
	void bilinearIsPlainInterpolationOfTheNearestPixels() throws IOException {
		int[] out = resize(Preprocessing.BILINEAR, 0, 0, SOURCE_WIDTH, SOURCE_HEIGHT, 32, 24);
		// torch interpolates in float where Pillow's arithmetic (and so ours) rounds to 8 bits between the passes
		assertThat(maxDifference(out, fixture("torch-bilinear-32x24.png"))).isLessThanOrEqualTo(1);
		// and that is far from the antialiased resize, so the fixtures above tell the methods apart
		assertThat(maxDifference(out, fixture("pil-bilinear-32x24.png"))).isGreaterThan(50);
	}

	/**
	 * Versions stored before the option existed were resized with Java2D's bilinear interpolation, and still are, to
	 * within Java2D's coarser sub-pixel positions.
	 */
	@Test
	void bilinearIsJava2dsBilinear() throws IOException {
		BufferedImage java2d = new BufferedImage(32, 24, BufferedImage.TYPE_INT_RGB);
		Graphics2D g = java2d.createGraphics();
		g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
		g.drawImage(image("source.png"), 0, 0, 32, 24, null);
		g.dispose();
		int[] out = resize(Preprocessing.BILINEAR, 0, 0, SOURCE_WIDTH, SOURCE_HEIGHT, 32, 24);
		assertThat(maxDifference(out, java2d.getRGB(0, 0, 32, 24, null, 0, 32))).isLessThanOrEqualTo(2);
	}

	private static int[] resize(String method, int x0, int y0, int x1, int y1, int width, int height)
			throws IOException {
		Resampling resampling = Resampling.of(method);
		return Resampling.resample(fixture("source.png"), SOURCE_WIDTH,
				resampling.axis(SOURCE_WIDTH, x0, x1, width, 0, width),
				resampling.axis(SOURCE_HEIGHT, y0, y1, height, 0, height));
	}

	/** The largest difference in any channel of any pixel. */
	static int maxDifference(int[] actual, int[] expected) {
		assertThat(actual).hasSameSizeAs(expected);
		int max = 0;
		for (int i = 0; i < actual.length; i++) {
			for (int shift = 0; shift <= 16; shift += 8) {
				max = Math.max(max, Math.abs(((actual[i] >> shift) & 0xff) - ((expected[i] >> shift) & 0xff)));
			}
		}
		return max;
	}

	/** A fixture's packed RGB pixels, row by row. */
	static int[] fixture(String name) throws IOException {
		BufferedImage image = image(name);
		return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
	}

	static BufferedImage image(String name) throws IOException {
		try (InputStream in = ResamplingTests.class.getResourceAsStream("/fixtures/resize/" + name)) {
			return ImageIO.read(in);
		}
	}

}
