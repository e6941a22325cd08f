package io.deepserve.dataset;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import javax.imageio.ImageIO;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * The {@code shapes} sample: outlined shapes at random position, scale, rotation, stroke width and colours, with
 * pixel noise, as PNGs in an image-folder zip. The same seed gives the same bytes.
 */
final class ShapesSample {

	static final List<String> SHAPES = List.of("x", "o", "triangle", "square", "plus", "diamond");

	/** Fixed entry times keep the zip's bytes, and so its SHA-256, a function of the seed alone. */
	private static final LocalDateTime ENTRY_TIME = LocalDateTime.of(2024, 1, 1, 0, 0);

	/**
	 * Square and diamond, x and plus differ by 45 degrees, so rotation stays well short of that.
	 */
	private static final double MAX_ROTATION = Math.toRadians(20);

	private ShapesSample() {
	}

	static void write(Path zip, List<String> shapes, int countPerClass, int imageSize, long seed) throws IOException {
		Random random = new Random(seed);
		try (OutputStream file = Files.newOutputStream(zip); ZipOutputStream out = new ZipOutputStream(file)) {
			for (String shape : shapes) {
				for (int i = 1; i <= countPerClass; i++) {
					ZipEntry entry = new ZipEntry(shape + "/" + shape + "-" + String.format("%04d", i) + ".png");
					entry.setTimeLocal(ENTRY_TIME);
					out.putNextEntry(entry);
					// A memory cache keeps ImageIO from writing a temporary file per image.
					ImageOutputStream png = new MemoryCacheImageOutputStream(out);
					ImageIO.write(draw(shape, imageSize, random), "png", png);
					png.close();
					out.closeEntry();
				}
			}
		}
	}

	static BufferedImage draw(String shape, int size, Random random) {
		BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
		Color background = randomColor(random);
		Color foreground = randomColor(random);
		while (Math.abs(luma(foreground) - luma(background)) < 90) {
			foreground = randomColor(random);
		}
		Graphics2D g = image.createGraphics();
		try {
			g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
			g.setColor(background);
			g.fillRect(0, 0, size, size);
			double radius = size * (0.22 + 0.14 * random.nextDouble());
			double slack = size / 2.0 - radius - size * 0.06;
			g.translate(size / 2.0 + slack * (2 * random.nextDouble() - 1),
					size / 2.0 + slack * (2 * random.nextDouble() - 1));
			g.rotate(MAX_ROTATION * (2 * random.nextDouble() - 1));
			g.scale(radius, radius);
			double stroke = size * (0.04 + 0.06 * random.nextDouble());
			g.setStroke(new BasicStroke((float) (stroke / radius), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
			g.setColor(foreground);
			g.draw(outline(shape));
		}
		finally {
			g.dispose();
		}
		addNoise(image, 4 + 12 * random.nextDouble(), random);
		return image;
	}

	/** The shape within the unit circle. */
	private static Shape outline(String shape) {
		return switch (shape) {
			case "x" -> lines(-0.75, -0.75, 0.75, 0.75, -0.75, 0.75, 0.75, -0.75);
			case "plus" -> lines(0, -1, 0, 1, -1, 0, 1, 0);
			case "o" -> new Ellipse2D.Double(-1, -1, 2, 2);
			case "square" -> new Rectangle2D.Double(-0.75, -0.75, 1.5, 1.5);
			case "diamond" -> polygon(0, -1, 1, 0, 0, 1, -1, 0);
			case "triangle" -> polygon(0, -1, 0.87, 0.5, -0.87, 0.5);
			default -> throw new IllegalArgumentException("no shape " + shape);
		};
	}

	private static Shape lines(double... xy) {
		Path2D.Double path = new Path2D.Double();
		for (int i = 0; i < xy.length; i += 4) {
			path.moveTo(xy[i], xy[i + 1]);
			path.lineTo(xy[i + 2], xy[i + 3]);
		}
		return path;
	}

	private static Shape polygon(double... xy) {
		Path2D.Double path = new Path2D.Double();
		path.moveTo(xy[0], xy[1]);
		for (int i = 2; i < xy.length; i += 2) {
			path.lineTo(xy[i], xy[i + 1]);
		}
		path.closePath();
		return path;
	}

	private static void addNoise(BufferedImage image, double sigma, Random random) {
		int[] pixels = image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
		for (int i = 0; i < pixels.length; i++) {
			int rgb = pixels[i];
			int r = clamp(((rgb >> 16) & 0xff) + random.nextGaussian() * sigma);
			int g = clamp(((rgb >> 8) & 0xff) + random.nextGaussian() * sigma);
			int b = clamp((rgb & 0xff) + random.nextGaussian() * sigma);
			pixels[i] = (r << 16) | (g << 8) | b;
		}
		image.setRGB(0, 0, image.getWidth(), image.getHeight(), pixels, 0, image.getWidth());
	}

	private static int clamp(double value) {
		return (int) Math.max(0, Math.min(255, Math.round(value)));
	}

	private static Color randomColor(Random random) {
		return new Color(random.nextInt(256), random.nextInt(256), random.nextInt(256));
	}

	private static double luma(Color c) {
		return 0.299 * c.getRed() + 0.587 * c.getGreen() + 0.114 * c.getBlue();
	}

}
