package io.deepserve.image;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Set;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;


import io.deepserve.error.DeepserveException;
import io.deepserve.error.InvalidInputException;
import io.deepserve.error.PayloadTooLargeException;

/**
 * Decodes JPEG and PNG images for datasets and inference alike, refusing one whose header declares too many pixels
 * before allocating them, and one the decoder could only partly read (a truncated JPEG decodes "successfully" with
 * a grey bottom otherwise).
 */
public final class ImageDecoder {

	private static final Set<String> FORMATS = Set.of("png", "jpeg");

	private ImageDecoder() {
	}

	/**
	 * @param subject names the image in error messages, e.g. {@code entry 'cat/1.png'} or {@code the image}
	 */
	public static BufferedImage decode(InputStream in, String subject, long maxPixels) {
		// A memory cache keeps ImageIO from writing temporary files (its default) for every image.
		try (ImageInputStream iis = new MemoryCacheImageInputStream(in)) {
			Iterator<ImageReader> readers = ImageIO.getImageReaders(iis);
			if (!readers.hasNext()) {
				throw invalid(subject, "it is not a JPEG or PNG image");
			}
			ImageReader reader = readers.next();
			try {
				if (!FORMATS.contains(reader.getFormatName().toLowerCase())) {
					throw invalid(subject, "it is " + reader.getFormatName() + ", not JPEG or PNG");
				}
				reader.setInput(iis, true, true);
				long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
				if (pixels > maxPixels) {
					throw new PayloadTooLargeException("image_too_large",
							capitalized(subject) + " has " + pixels + " pixels; the limit is " + maxPixels);
				}
				if (!reader.getImageTypes(0).hasNext()) {
					// ImageIO offers no conversion for CMYK/YCCK JPEGs; say so rather than guess the colours
					throw new InvalidInputException("unsupported_image", capitalized(subject)
							+ " uses a colour space deepserve cannot convert (CMYK or YCCK JPEG); send RGB or grayscale");
				}
				reader.addIIOReadWarningListener((source, warning) -> {
					throw new IllegalStateException(warning);
				});
				return reader.read(0);
			}
			finally {
				reader.dispose();
			}
		}
		catch (IOException | RuntimeException ex) {
			// A limit hit while reading may come back wrapped by the decoder; it must keep its own code.
			for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
				if (cause instanceof DeepserveException api) {
					throw api;
				}
			}
			// Decoders signal corrupt data with IOExceptions and assorted runtime exceptions alike.
			throw invalid(subject, "it could not be decoded (" + ex.getMessage() + ")");
		}
	}

	/** The image as {@code TYPE_INT_RGB}, whatever its colour model or bit depth; transparent pixels become white. */
	public static BufferedImage toRgb(BufferedImage image) {
		if (image.getType() == BufferedImage.TYPE_INT_RGB) {
			return image;
		}
		BufferedImage rgb = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
		Graphics2D g = rgb.createGraphics();
		try {
			g.setColor(Color.WHITE);
			g.fillRect(0, 0, rgb.getWidth(), rgb.getHeight());
			g.drawImage(image, 0, 0, null);
		}
		finally {
			g.dispose();
		}
		return rgb;
	}

	private static DeepserveException invalid(String subject, String why) {
		return new InvalidInputException("invalid_image", capitalized(subject) + " is not a usable image: " + why);
	}

	private static String capitalized(String subject) {
		return subject.isEmpty() ? subject : Character.toUpperCase(subject.charAt(0)) + subject.substring(1);
	}

}
