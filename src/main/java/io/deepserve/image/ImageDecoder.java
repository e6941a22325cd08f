package io.deepserve.image;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Set;
import java.util.zip.CRC32;

import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

import io.deepserve.error.DeepserveException;
import io.deepserve.error.InvalidInputException;
import io.deepserve.error.PayloadTooLargeException;

/**
 * Decodes JPEG and PNG images for datasets and inference alike, refusing one whose header declares too many pixels
 * before allocating them, one the decoder could only partly read (a truncated JPEG decodes "successfully" with
 * a grey bottom otherwise), and a PNG whose chunks fail their CRC (ImageIO does not check them).
 */
public final class ImageDecoder {

	private static final Set<String> FORMATS = Set.of("png", "jpeg");

	private static final int PNG_SIGNATURE = 8;

	private static final byte[] IHDR = "IHDR".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] IEND = "IEND".getBytes(StandardCharsets.US_ASCII);

	private ImageDecoder() {
	}

	/**
	 * @param subject names the image in error messages, e.g. {@code entry 'cat/1.png'} or {@code the image}
	 */
	public static BufferedImage decode(InputStream in, String subject, long maxPixels) {
		return decode(in, subject, maxPixels, 0);
	}

	/**
	 * Decodes only every n-th pixel of each n-th row when the image is at least twice as large as needed: a
	 * 36-megapixel photo for a 224-pixel model then takes a few megabytes of heap instead of 150.
	 * @param shortSide the shortest side the caller needs; the decoded image's short side is never below it (nor
	 * below the image's own); 0 decodes every pixel
	 */
	public static BufferedImage decode(InputStream in, String subject, long maxPixels, int shortSide) {
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
				if ("png".equalsIgnoreCase(reader.getFormatName())) {
					checkPngChunks(iis, subject, maxPixels);
				}
				reader.setInput(iis, true, true);
				int width = reader.getWidth(0);
				int height = reader.getHeight(0);
				checkPixels(width, height, subject, maxPixels);
				if (!reader.getImageTypes(0).hasNext()) {
					// ImageIO offers no conversion for CMYK/YCCK JPEGs; say so rather than guess the colours
					throw new InvalidInputException("unsupported_image", capitalized(subject)
							+ " uses a colour space deepserve cannot convert (CMYK or YCCK JPEG); send RGB or grayscale");
				}
				reader.addIIOReadWarningListener((source, warning) -> {
					throw new IllegalStateException(warning);
				});
				ImageReadParam param = reader.getDefaultReadParam();
				int step = shortSide > 0 ? Math.min(width, height) / shortSide : 1;
				if (step > 1) {
					param.setSourceSubsampling(step, step, 0, 0);
				}
				return reader.read(0, param);
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

	/**
	 * Reads every chunk to {@code IEND} and compares its CRC, then rewinds: a flipped bit in compressed data would
	 * otherwise decode to a silently different image.
	 */
	private static void checkPngChunks(ImageInputStream iis, String subject, long maxPixels) throws IOException {
		iis.seek(PNG_SIGNATURE);
		byte[] buffer = new byte[64 * 1024];
		CRC32 crc = new CRC32();
		try {
			while (true) {
				long length = iis.readUnsignedInt();
				if (length > Integer.MAX_VALUE) {
					throw invalid(subject, "a PNG chunk declares " + length + " bytes");
				}
				crc.reset();
				byte[] type = new byte[4];
				iis.readFully(type);
				crc.update(type);
				for (long left = length; left > 0;) {
					int n = (int) Math.min(buffer.length, left);
					iis.readFully(buffer, 0, n);
					crc.update(buffer, 0, n);
					left -= n;
				}
				if (Arrays.equals(type, IHDR) && length >= 8) {
					// the pixel limit before the rest of the file, as for JPEGs: a bomb may be all header
					checkPixels(ByteBuffer.wrap(buffer).getInt(0) & 0xffffffffL,
							ByteBuffer.wrap(buffer).getInt(4) & 0xffffffffL, subject, maxPixels);
				}
				if (iis.readUnsignedInt() != crc.getValue()) {
					throw invalid(subject, "its PNG chunk " + new String(type, StandardCharsets.US_ASCII)
							+ " fails its CRC check (the file is corrupt)");
				}
				if (Arrays.equals(type, IEND)) {
					break;
				}
			}
		}
		catch (EOFException ex) {
			throw invalid(subject, "the PNG ends before its IEND chunk (the file is truncated)");
		}
		iis.seek(0);
	}

	private static void checkPixels(long width, long height, String subject, long maxPixels) {
		// a PNG header holds unsigned 32-bit sides, whose product may not fit a long
		long pixels = width > Integer.MAX_VALUE || height > Integer.MAX_VALUE ? Long.MAX_VALUE : width * height;
		if (pixels > maxPixels) {
			throw new PayloadTooLargeException("image_too_large",
					capitalized(subject) + " has " + pixels + " pixels; the limit is " + maxPixels);
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
