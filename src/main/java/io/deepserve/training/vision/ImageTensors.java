package io.deepserve.training.vision;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Random;

/**
 * Turns images into the CHW floats the classifier takes: resized to {@code size}, scaled to [0, 1], normalised
 * per channel. Training images may first be augmented: a random crop of 60 to 100% of the area, then a random
 * horizontal flip.
 */
final class ImageTensors {

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
		if (augment != null) {
			double scale = Math.sqrt(0.6 + 0.4 * augment.nextDouble());
			int cw = Math.max(1, (int) Math.round(sw * scale));
			int ch = Math.max(1, (int) Math.round(sh * scale));
			sx = augment.nextInt(sw - cw + 1);
			sy = augment.nextInt(sh - ch + 1);
			sw = cw;
			sh = ch;
			flip = augment.nextBoolean();
		}
		BufferedImage resized = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
		Graphics2D g = resized.createGraphics();
		try {
			g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
			if (flip) {
				g.drawImage(image, size, 0, 0, size, sx, sy, sx + sw, sy + sh, null);
			}
			else {
				g.drawImage(image, 0, 0, size, size, sx, sy, sx + sw, sy + sh, null);
			}
		}
		finally {
			g.dispose();
		}
		int plane = size * size;
		for (int y = 0; y < size; y++) {
			for (int x = 0; x < size; x++) {
				int rgb = resized.getRGB(x, y);
				int i = offset + y * size + x;
				out[i] = (((rgb >> 16) & 0xff) / 255f - mean[0]) / std[0];
				out[i + plane] = (((rgb >> 8) & 0xff) / 255f - mean[1]) / std[1];
				out[i + 2 * plane] = ((rgb & 0xff) / 255f - mean[2]) / std[2];
			}
		}
	}

	private static float[] toArray(List<Float> values) {
		float[] array = new float[values.size()];
		for (int i = 0; i < array.length; i++) {
			array[i] = values.get(i);
		}
		return array;
	}

}
