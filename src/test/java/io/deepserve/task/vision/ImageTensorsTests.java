package io.deepserve.task.vision;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.deepserve.registry.Preprocessing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The stored preprocessing, pixel by pixel: resize, centre crop, scaling and per-channel normalisation in RGB. */
class ImageTensorsTests {

	private static final List<Float> ZERO = List.of(0f, 0f, 0f);

	private static final List<Float> ONE = List.of(1f, 1f, 1f);

	@Test
	void cropsTheCentredSquareOfTheShortSideAndNormalisesEachChannel() {
		// 38 x 32: the centred 32 x 32 square starts at column 3
		BufferedImage image = new BufferedImage(38, 32, BufferedImage.TYPE_INT_RGB);
		for (int x = 0; x < 38; x++) {
			for (int y = 0; y < 32; y++) {
				image.setRGB(x, y, (x * 6) << 16 | 100 << 8 | 200);
			}
		}
		Preprocessing p = new Preprocessing(32, null, List.of(0.5f, 0.25f, 0f), List.of(0.5f, 0.25f, 1f));

		float[] tensor = new ImageTensors(p).tensor(image);

		assertThat(tensor).hasSize(3 * 32 * 32);
		for (int x = 0; x < 32; x++) {
			float red = ((x + 3) * 6 / 255f - 0.5f) / 0.5f;
			assertThat(tensor[5 * 32 + x]).as("red, column " + x).isCloseTo(red, within(1e-5f));
		}
		assertThat(tensor[1024 + 7]).as("green").isCloseTo((100 / 255f - 0.25f) / 0.25f, within(1e-5f));
		assertThat(tensor[2048 + 7]).as("blue").isCloseTo(200 / 255f, within(1e-5f));
	}

	@Test
	void resizesTheShortSideBeforeCropping() {
		// a 80 x 64 image, short side to 40 (so 50 x 40), then a 32 crop: source columns 14.4 to 65.6, rows 6.4 to 57.6
		BufferedImage image = new BufferedImage(80, 64, BufferedImage.TYPE_INT_RGB);
		for (int x = 0; x < 80; x++) {
			for (int y = 0; y < 64; y++) {
				image.setRGB(x, y, (x < 14 || x >= 66 || y < 6 || y >= 58) ? 0xff0000 : 0x0000ff);
			}
		}
		Preprocessing p = new Preprocessing(32, 40, ZERO, ONE, Preprocessing.BILINEAR);

		float[] tensor = new ImageTensors(p).tensor(image);

		// the red frame lies outside the crop, so no output pixel has any red in it
		for (int i = 0; i < 1024; i++) {
			assertThat(tensor[i]).as("red at " + i).isEqualTo(0f);
			assertThat(tensor[2048 + i]).as("blue at " + i).isEqualTo(1f);
		}
	}

	/**
	 * torchvision's {@code Compose([Resize(41, interpolation), CenterCrop(32)])} on a PIL image, as trained: 97 x 61
	 * becomes 65 x 41, cropped from (16, 4), the offsets 16.5 and 4.5 rounded half to even as Python rounds.
	 */
	@Test
	void theStoredPreprocessingIsTorchvisionsResizeAndCentreCrop() throws IOException {
		BufferedImage source = ResamplingTests.image("source.png");
		assertThat(maxDifference(new ImageTensors(new Preprocessing(32, 41, ZERO, ONE, Preprocessing.ANTIALIAS))
			.tensor(source), ResamplingTests.fixture("torchvision-bilinear-41-32.png"))).isZero();
		assertThat(maxDifference(new ImageTensors(new Preprocessing(32, 41, ZERO, ONE, Preprocessing.BICUBIC))
			.tensor(source), ResamplingTests.fixture("torchvision-bicubic-41-32.png"))).isZero();
	}

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
		new ImageTensors(new Preprocessing(8, null, ZERO, ONE, Preprocessing.BILINEAR)).write(wide, null, out, 0);
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
		ImageTensors tensors = new ImageTensors(new Preprocessing(16, null, ZERO, ONE, Preprocessing.ANTIALIAS));
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

	/** Augmentation resizes with the version's method too: a whole-image crop without jitter is what is served. */
	@Test
	void anUnjitteredWholeImageCropIsTheStoredPreprocessingMirroredWhenFlipped() {
		BufferedImage image = new BufferedImage(30, 30, BufferedImage.TYPE_INT_RGB);
		for (int x = 0; x < 30; x++) {
			for (int y = 0; y < 30; y++) {
				image.setRGB(x, y, (x * 8) << 16 | (y * 8) << 8 | ((x * y) & 0xff));
			}
		}
		ImageTensors tensors = new ImageTensors(new Preprocessing(12, null, ZERO, ONE, Preprocessing.BICUBIC));
		float[] served = tensors.tensor(image);
		float[] plain = new float[served.length];
		float[] flipped = new float[served.length];

		tensors.write(image, wholeImageNoJitter(false), plain, 0);
		tensors.write(image, wholeImageNoJitter(true), flipped, 0);

		assertThat(plain).isEqualTo(served);
		for (int c = 0; c < 3; c++) {
			for (int y = 0; y < 12; y++) {
				for (int x = 0; x < 12; x++) {
					assertThat(flipped[c * 144 + y * 12 + x]).isEqualTo(served[c * 144 + y * 12 + 11 - x]);
				}
			}
		}
	}

	/** Draws a crop of the whole image, then {@code flip}, then jitter factors of exactly 1. */
	private static Random wholeImageNoJitter(boolean flip) {
		return new Random() {

			private boolean first = true;

			@Override
			public double nextDouble() {
				double value = first ? 1 : 0.5;
				first = false;
				return value;
			}

			@Override
			public int nextInt(int bound) {
				return 0;
			}

			@Override
			public boolean nextBoolean() {
				return flip;
			}

		};
	}

	/** The tensor, scaled back to 0..255, against a fixture's pixels. */
	private static int maxDifference(float[] tensor, int[] expected) {
		int plane = expected.length;
		int[] packed = new int[plane];
		for (int i = 0; i < plane; i++) {
			packed[i] = Math.round(tensor[i] * 255) << 16 | Math.round(tensor[i + plane] * 255) << 8
					| Math.round(tensor[i + 2 * plane] * 255);
		}
		return ResamplingTests.maxDifference(packed, expected);
	}

	/**
	 * 32-pixel crops resize the short side to round(32 * 256 / 224) = 37; an image of 37 x 40 is already that size,
	 * so each crop is the plain square of its pixels at a corner or the centre, and crops 5 to 9 mirror 0 to 4.
	 */
	@Test
	void tenCropsAreTheCornersTheCentreAndTheirMirrors() {
		int w = 37;
		int h = 40;
		BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
		for (int x = 0; x < w; x++) {
			for (int y = 0; y < h; y++) {
				image.setRGB(x, y, (x * 6) << 16 | (y * 6) << 8 | 7);
			}
		}
		ImageTensors tensors = new ImageTensors(new Preprocessing(32, null, ZERO, ONE));

		float[] crops = tensors.tenCrops(image);

		assertThat(tensors.tenCropResize()).isEqualTo(37);
		assertThat(crops).hasSize(10 * 3 * 32 * 32);
		// left and top of the corners and the centre (centre: (37-32)/2 = 2.5 and (40-32)/2 = 4, rounded half to even)
		int[][] origins = { { 0, 0 }, { 5, 0 }, { 0, 8 }, { 5, 8 }, { 2, 4 } };
		for (int c = 0; c < 10; c++) {
			int[] origin = origins[c % 5];
			boolean mirrored = c >= 5;
			for (int y = 0; y < 32; y += 7) {
				for (int x = 0; x < 32; x += 5) {
					int sourceX = origin[0] + (mirrored ? 31 - x : x);
					int at = c * 3 * 1024 + y * 32 + x;
					assertThat(crops[at]).as("crop %d red at (%d, %d)", c, x, y)
						.isCloseTo(sourceX * 6 / 255f, within(1e-5f));
					assertThat(crops[at + 1024]).as("crop %d green at (%d, %d)", c, x, y)
						.isCloseTo((origin[1] + y) * 6 / 255f, within(1e-5f));
				}
			}
		}
	}

	/** The PCA shift is drawn once per image and added to every pixel, before normalisation. */
	@Test
	void pcaColourAddsOneShiftToEveryPixelOfAnImage() {
		BufferedImage grey = new BufferedImage(40, 40, BufferedImage.TYPE_INT_RGB);
		for (int x = 0; x < 40; x++) {
			for (int y = 0; y < 40; y++) {
				grey.setRGB(x, y, 0x808080);
			}
		}
		ColorPca pca = new ColorPca(new double[] { 0.5, 0.2, 0.1 },
				new double[][] { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } });
		Augmentation onlyPca = new Augmentation(null, false, false, true);
		ImageTensors tensors = new ImageTensors(new Preprocessing(32, null, ZERO, ONE), onlyPca, pca);
		float[] out = new float[3 * 32 * 32];
		Random random = new Random(11);

		tensors.write(grey, random, out, 0);

		// the crop's three draws replayed (area share, then left and top), then the shift's three Gaussians
		float[] shift = pca.shift(sameAfterCrop(grey.getWidth(), grey.getHeight()));
		for (int c = 0; c < 3; c++) {
			float expected = 128 / 255f + shift[c];
			for (int i = 0; i < 1024; i += 97) {
				assertThat(out[c * 1024 + i]).as("channel %d, pixel %d", c, i).isCloseTo(expected, within(1e-6f));
			}
		}
		assertThat(shift[0]).as("a real shift").isNotCloseTo(0f, within(1e-4f));
	}

	@Test
	void withoutPcaComponentsPcaColourIsRefused() {
		Augmentation pca = new Augmentation(null, null, null, true);

		org.assertj.core.api.Assertions
			.assertThatThrownBy(() -> new ImageTensors(new Preprocessing(32, null, ZERO, ONE), pca, null))
			.isInstanceOf(IllegalArgumentException.class);
	}

	/** A random source at the point the augmentation draws the PCA shift, for a seed of 11 and no flip or jitter. */
	private static Random sameAfterCrop(int w, int h) {
		Random random = new Random(11);
		double scale = Math.sqrt(0.6 + 0.4 * random.nextDouble());
		random.nextInt(w - Math.max(1, (int) Math.round(w * scale)) + 1);
		random.nextInt(h - Math.max(1, (int) Math.round(h * scale)) + 1);
		return random;
	}

}
