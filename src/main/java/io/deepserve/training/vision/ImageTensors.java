package io.deepserve.training.vision;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.List;
import java.util.Random;

/**
 * Turns images into the CHW floats the classifier takes, scaled to [0, 1] and normalised per channel. Without
 * augmentation this is exactly the preprocessing stored with the model and applied when serving: the centred square
 * of the short side, resized to {@code size}. Training images may instead be augmented: a random crop of 60 to 100%
 * of the area, a random horizontal flip, and colour jitter (brightness, contrast and saturation each scaled by a
 * random factor in [0.8, 1.2]).
 */
final class ImageTensors {

	private static final double JITTER = 0.2;

	private final int size;

	private final float[] mean;

	private final float[] std;

	ImageTensors(int size, List<Float> mean, List<Float> std) {
		this.size = size;
		this.mean = toArray(mean);
		this.std = toArray(std);
	}

	/** Writes one image's {@code 3 * size * size} values into {@code out} at {@code offset}. */
	void write(BufferedImage image, Random augment, float[] out, int offset) {
		int sx = 0;
		int sy = 0;
		int sw = image.getWidth();
		int sh = image.getHeight();
		boolean flip = false;
		float brightness = 1;
		float contrast = 1;
		float saturation = 1;
		if (augment == null) {
			int side = Math.min(sw, sh);
			sx = (sw - side) / 2;
			sy = (sh - side) / 2;
			sw = side;
			sh = side;
		}
		else {
			double scale = Math.sqrt(0.6 + 0.4 * augment.nextDouble());
			int cw = Math.max(1, (int) Math.round(sw * scale));
			int ch = Math.max(1, (int) Math.round(sh * scale));
			sx = augment.nextInt(sw - cw + 1);
			sy = augment.nextInt(sh - ch + 1);
			sw = cw;
			sh = ch;
			flip = augment.nextBoolean();
			brightness = jitter(augment);
			contrast = jitter(augment);
			saturation = jitter(augment);
		}
		BufferedImage resized = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
		Graphics2D graphics = resized.createGraphics();
		try {
			graphics.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
			if (flip) {
				graphics.drawImage(image, size, 0, 0, size, sx, sy, sx + sw, sy + sh, null);
			}
			else {
				graphics.drawImage(image, 0, 0, size, size, sx, sy, sx + sw, sy + sh, null);
			}
		}
		finally {
			graphics.dispose();
		}
		int plane = size * size;
		// the raster's own array: getRGB would convert pixel by pixel through the colour model
		int[] pixels = ((DataBufferInt) resized.getRaster().getDataBuffer()).getData();
		float meanGray = contrast == 1 ? 0 : meanGray(pixels);
		for (int y = 0; y < size; y++) {
			for (int x = 0; x < size; x++) {
				int rgb = pixels[y * size + x];
				float r = ((rgb >> 16) & 0xff) / 255f * brightness;
				float g = ((rgb >> 8) & 0xff) / 255f * brightness;
				float b = (rgb & 0xff) / 255f * brightness;
				if (contrast != 1) {
					r = (r - meanGray * brightness) * contrast + meanGray * brightness;
					g = (g - meanGray * brightness) * contrast + meanGray * brightness;
					b = (b - meanGray * brightness) * contrast + meanGray * brightness;
				}
				if (saturation != 1) {
					float gray = gray(r, g, b);
					r = gray + (r - gray) * saturation;
					g = gray + (g - gray) * saturation;
					b = gray + (b - gray) * saturation;
				}
				int i = offset + y * size + x;
				out[i] = (clamp(r) - mean[0]) / std[0];
				out[i + plane] = (clamp(g) - mean[1]) / std[1];
				out[i + 2 * plane] = (clamp(b) - mean[2]) / std[2];
			}
		}
	}

	private static float jitter(Random random) {
		return (float) (1 - JITTER + 2 * JITTER * random.nextDouble());
	}

	private static float meanGray(int[] pixels) {
		double sum = 0;
		for (int rgb : pixels) {
			sum += gray(((rgb >> 16) & 0xff) / 255f, ((rgb >> 8) & 0xff) / 255f, (rgb & 0xff) / 255f);
		}
		return (float) (sum / pixels.length);
	}

	private static float gray(float r, float g, float b) {
		return 0.299f * r + 0.587f * g + 0.114f * b;
	}

	private static float clamp(float value) {
		return Math.max(0f, Math.min(1f, value));
	}

	private static float[] toArray(List<Float> values) {
		float[] array = new float[values.size()];
		for (int i = 0; i < array.length; i++) {
			array[i] = values.get(i);
		}
		return array;
	}

}
