package io.deepserve.image;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;

import io.deepserve.error.InvalidInputException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageDecoderTests {

	@Test
	void aPngWhoseChunkFailsItsCrcIsRefusedThoughImageIoWouldDecodeIt() throws IOException {
		byte[] png = png(40, 30);
		byte[] corrupt = png.clone();
		// the last byte of the IDAT chunk's CRC: the pixels are intact, only the check fails
		int idat = indexOf(png, "IDAT".getBytes());
		int length = ((png[idat - 4] & 0xff) << 24) | ((png[idat - 3] & 0xff) << 16) | ((png[idat - 2] & 0xff) << 8)
				| (png[idat - 1] & 0xff);
		corrupt[idat + 4 + length + 3] ^= 1;
		assertThat(ImageIO.read(new ByteArrayInputStream(corrupt))).as("ImageIO alone accepts it").isNotNull();

		assertThatThrownBy(() -> ImageDecoder.decode(new ByteArrayInputStream(corrupt), "the image", 1_000_000))
			.isInstanceOf(InvalidInputException.class)
			.hasMessageContaining("CRC")
			.satisfies(ex -> assertThat(((InvalidInputException) ex).code()).isEqualTo("invalid_image"));
		assertThat(ImageDecoder.decode(new ByteArrayInputStream(png), "the image", 1_000_000).getWidth()).isEqualTo(40);
	}

	@Test
	void aLargeImageIsSubsampledToNoLessThanTheShortSideNeeded() throws IOException {
		for (String format : new String[] { "png", "jpg" }) {
			byte[] image = encode(1200, 900, format);

			BufferedImage full = ImageDecoder.decode(new ByteArrayInputStream(image), "the image", 2_000_000);
			BufferedImage small = ImageDecoder.decode(new ByteArrayInputStream(image), "the image", 2_000_000, 100);
			BufferedImage barely = ImageDecoder.decode(new ByteArrayInputStream(image), "the image", 2_000_000, 600);

			assertThat(full.getWidth()).isEqualTo(1200);
			assertThat(small.getHeight()).as(format).isBetween(100, 199);
			assertThat(small.getWidth()).as("the aspect ratio is kept").isBetween(small.getHeight() * 4 / 3 - 1,
					small.getHeight() * 4 / 3 + 1);
			assertThat(barely.getHeight()).as("under twice the need, every pixel is decoded").isEqualTo(900);
			// left half red, right half blue, in the subsampled image as in the original
			assertThat(new Color(small.getRGB(small.getWidth() / 4, 50)).getRed()).isGreaterThan(200);
			assertThat(new Color(small.getRGB(small.getWidth() * 3 / 4, 50)).getBlue()).isGreaterThan(200);
		}
	}

	private static byte[] png(int width, int height) throws IOException {
		return encode(width, height, "png");
	}

	private static byte[] encode(int width, int height, String format) throws IOException {
		BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
		Graphics2D g = image.createGraphics();
		g.setColor(Color.RED);
		g.fillRect(0, 0, width / 2, height);
		g.setColor(Color.BLUE);
		g.fillRect(width / 2, 0, width - width / 2, height);
		g.dispose();
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		ImageIO.write(image, format, out);
		return out.toByteArray();
	}

	private static int indexOf(byte[] haystack, byte[] needle) {
		outer: for (int i = 0; i <= haystack.length - needle.length; i++) {
			for (int j = 0; j < needle.length; j++) {
				if (haystack[i + j] != needle[j]) {
					continue outer;
				}
			}
			return i;
		}
		throw new AssertionError("not found");
	}

}
