package io.deepserve.dataset;

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

import org.springframework.http.HttpStatus;

import io.deepserve.web.ApiException;

/** Decodes JPEG and PNG files, refusing one whose header declares too many pixels before allocating them. */
final class ImageDecoder {

	private static final Set<String> FORMATS = Set.of("png", "jpeg");

	private ImageDecoder() {
	}

	static BufferedImage decode(InputStream in, String entryName, long maxPixels) {
		// A memory cache keeps ImageIO from writing temporary files (its default) for every image.
		try (ImageInputStream iis = new MemoryCacheImageInputStream(in)) {
			Iterator<ImageReader> readers = ImageIO.getImageReaders(iis);
			if (!readers.hasNext()) {
				throw invalid(entryName, "it is not a JPEG or PNG image");
			}
			ImageReader reader = readers.next();
			try {
				if (!FORMATS.contains(reader.getFormatName().toLowerCase())) {
					throw invalid(entryName, "it is " + reader.getFormatName() + ", not JPEG or PNG");
				}
				reader.setInput(iis, true, true);
				long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
				if (pixels > maxPixels) {
					throw new ApiException(HttpStatus.PAYLOAD_TOO_LARGE, "image_too_large", "entry '" + entryName
							+ "' has " + pixels + " pixels; the limit is " + maxPixels);
				}
				return reader.read(0);
			}
			finally {
				reader.dispose();
			}
		}
		catch (IOException | RuntimeException ex) {
			// A limit hit while reading may come back wrapped by the decoder; it must keep its own code.
			for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
				if (cause instanceof ApiException api) {
					throw api;
				}
			}
			// Decoders signal corrupt data with IOExceptions and assorted runtime exceptions alike.
			throw invalid(entryName, "it could not be decoded (" + ex.getMessage() + ")");
		}
	}

	/** The image as {@code TYPE_INT_RGB}; transparent pixels become white. */
	static BufferedImage toRgb(BufferedImage image) {
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

	private static ApiException invalid(String entryName, String why) {
		return ApiException.badRequest("invalid_image", "entry '" + entryName + "' is not a usable image: " + why);
	}

}
