package io.deepserve.bench;

import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.Locale;
import java.util.Random;

import io.deepserve.registry.Preprocessing;
import io.deepserve.task.vision.ImageTensors;

/**
 * Milliseconds per image of the stored preprocessing (short side to 256, centre 224 crop) with each resize method,
 * on generated photo-sized images: gradients, shapes and lines. Decoding is not included.
 *
 * <pre>java -cp target/classes:target/test-classes io.deepserve.bench.ResizeBench</pre>
 */
public final class ResizeBench {

	private ResizeBench() {
	}

	public static void main(String[] args) {
		for (int[] size : new int[][] { { 640, 480 }, { 4000, 3000 } }) {
			BufferedImage image = photo(size[0], size[1]);
			int runs = size[0] > 1000 ? 40 : 300;
			for (String method : Preprocessing.RESIZE_METHODS) {
				ImageTensors tensors = new ImageTensors(new Preprocessing(224, 256, null, null, method));
				for (int i = 0; i < 20; i++) {
					tensors.tensor(image);
				}
				long start = System.nanoTime();
				for (int i = 0; i < runs; i++) {
					tensors.tensor(image);
				}
				System.out.printf(Locale.ROOT, "%d x %d, %s: %.2f ms/image%n", size[0], size[1], method,
						(System.nanoTime() - start) / 1e6 / runs);
			}
		}
	}

	private static BufferedImage photo(int width, int height) {
		BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
		Graphics2D g = image.createGraphics();
		g.setPaint(new GradientPaint(0, 0, new Color(30, 80, 160), width, height, new Color(240, 200, 120)));
		g.fillRect(0, 0, width, height);
		Random random = new Random(7);
		for (int i = 0; i < 300; i++) {
			g.setColor(new Color(random.nextInt(256), random.nextInt(256), random.nextInt(256), 180));
			int side = 2 + random.nextInt(width / 8);
			g.fillOval(random.nextInt(width), random.nextInt(height), side, side);
			g.drawLine(random.nextInt(width), random.nextInt(height), random.nextInt(width), random.nextInt(height));
		}
		g.dispose();
		return image;
	}

}
