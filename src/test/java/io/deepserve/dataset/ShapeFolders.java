package io.deepserve.dataset;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import javax.imageio.ImageIO;

/** Test helper: an {@link ImageFolder} of drawn shapes, without a stored dataset. */
public final class ShapeFolders {

	private ShapeFolders() {
	}

	/** {@code perClass} PNGs of each of {@code shapes}, {@code size} pixels square, in a zip at {@code zip}. */
	public static ImageFolder open(Path zip, List<String> shapes, int perClass, int size, long seed)
			throws IOException {
		Random random = new Random(seed);
		try (OutputStream file = Files.newOutputStream(zip); ZipOutputStream out = new ZipOutputStream(file)) {
			for (String shape : shapes) {
				for (int i = 0; i < perClass; i++) {
					out.putNextEntry(new ZipEntry(shape + "/" + i + ".png"));
					ImageIO.write(ShapesSample.draw(shape, size, random), "png", out);
					out.closeEntry();
				}
			}
		}
		ZipFile opened = new ZipFile(zip.toFile());
		return new ImageFolder(opened, ImageZipLayout.read(opened, 100_000), 40_000_000);
	}

}
