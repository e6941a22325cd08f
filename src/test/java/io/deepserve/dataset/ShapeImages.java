package io.deepserve.dataset;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Random;

import javax.imageio.ImageIO;

/** Test helper: one PNG of a shape, drawn as the {@code shapes} sample draws them, for classifying. */
public final class ShapeImages {

	private ShapeImages() {
	}

	public static byte[] png(String shape, int size, long seed) {
		try {
			ByteArrayOutputStream out = new ByteArrayOutputStream();
			ImageIO.write(ShapesSample.draw(shape, size, new Random(seed)), "png", out);
			return out.toByteArray();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
