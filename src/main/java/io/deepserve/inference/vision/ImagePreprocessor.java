package io.deepserve.inference.vision;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.List;

import io.deepserve.registry.Preprocessing;

/**
 * Exactly the preprocessing stored with a version: resize the short side to {@code resize} (default
 * {@code imageSize}), centre-crop {@code imageSize} square, scale to [0, 1], normalise per RGB channel with
 * {@code mean} and {@code std} (ImageNet's when the version names none). Output is CHW floats.
 */
final class ImagePreprocessor {

	private ImagePreprocessor() {
	}

	/** @param rgb a {@code TYPE_INT_RGB} image */
	static float[] toTensor(BufferedImage rgb, Preprocessing p) {
		int size = p.imageSize();
		float[] mean = floats(p.mean() != null ? p.mean() : Preprocessing.IMAGENET_MEAN);
		float[] std = floats(p.std() != null ? p.std() : Preprocessing.IMAGENET_STD);
		int w = rgb.getWidth();
		int h = rgb.getHeight();
		// the crop, in source pixels: the centred square that becomes size x size after the short side is resized;
		// offsets round down, as training's validation crop does, so both see the very same pixels
		double scale = (double) p.resizeOrDefault() / Math.min(w, h);
		int crop = (int) Math.round(size / scale);
		int x0 = (w - crop) / 2;
		int y0 = (h - crop) / 2;
		BufferedImage square = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
		Graphics2D g = square.createGraphics();
		try {
			g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
			g.drawImage(rgb, 0, 0, size, size, x0, y0, x0 + crop, y0 + crop, null);
		}
		finally {
			g.dispose();
		}
		int plane = size * size;
		// the raster's own array: getRGB would convert pixel by pixel through the colour model
		int[] pixels = ((DataBufferInt) square.getRaster().getDataBuffer()).getData();
		float[] out = new float[3 * plane];
		for (int i = 0; i < plane; i++) {
			int px = pixels[i];
			out[i] = (((px >> 16) & 0xff) / 255f - mean[0]) / std[0];
			out[i + plane] = (((px >> 8) & 0xff) / 255f - mean[1]) / std[1];
			out[i + 2 * plane] = ((px & 0xff) / 255f - mean[2]) / std[2];
		}
		return out;
	}

	private static float[] floats(List<Float> values) {
		float[] array = new float[values.size()];
		for (int i = 0; i < array.length; i++) {
			array[i] = values.get(i);
		}
		return array;
	}

}
