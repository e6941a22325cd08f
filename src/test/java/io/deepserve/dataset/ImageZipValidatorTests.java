package io.deepserve.dataset;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.util.unit.DataSize;

import io.deepserve.config.DeepserveProperties;
import io.deepserve.error.DeepserveException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageZipValidatorTests {

	@TempDir
	Path dir;

	@Test
	void countsTheBytesReallyInflatedWhenTheDeclaredSizesLie() throws IOException {
		Map<String, byte[]> entries = new LinkedHashMap<>();
		entries.put("cat/1.png", DatasetTestSupport.png());
		entries.put("dog/noise.png", noisePng(128));
		byte[] honest = DatasetTestSupport.zip(entries);
		assertThat(validate(honest, DataSize.ofKilobytes(256)).counts()).containsEntry("dog", 1);
		assertThatThrownBy(() -> validate(honest, DataSize.ofKilobytes(32)))
			.hasFieldOrPropertyWithValue("code", "archive_too_large");

		byte[] lying = declareUncompressedSizes(honest, 1);

		assertThatThrownBy(() -> validate(lying, DataSize.ofKilobytes(32))).isInstanceOf(DeepserveException.class)
			.hasFieldOrPropertyWithValue("code", "archive_too_large");
	}

	private Summary validate(byte[] zip, DataSize maxUncompressed) throws IOException {
		Path file = Files.write(dir.resolve("upload.zip"), zip);
		return ImageZipValidator.validate(file, new DeepserveProperties.Datasets(DataSize.ofMegabytes(10), 1_000_000,
				100, maxUncompressed, 10));
	}

	/** A PNG of random pixels: about 3 bytes per pixel, whatever the compression. */
	private static byte[] noisePng(int size) throws IOException {
		BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
		Random random = new Random(1);
		for (int y = 0; y < size; y++) {
			for (int x = 0; x < size; x++) {
				image.setRGB(x, y, random.nextInt());
			}
		}
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		ImageIO.write(image, "png", bytes);
		return bytes.toByteArray();
	}

	/** Rewrites every central-directory entry's uncompressed size, as a zip bomb would. */
	private static byte[] declareUncompressedSizes(byte[] zip, int size) {
		ByteBuffer buffer = ByteBuffer.wrap(zip.clone()).order(ByteOrder.LITTLE_ENDIAN);
		int end = zip.length - 22;
		assertThat(buffer.getInt(end)).isEqualTo(0x06054b50);
		int entries = buffer.getShort(end + 10);
		int at = buffer.getInt(end + 16);
		for (int i = 0; i < entries; i++) {
			assertThat(buffer.getInt(at)).isEqualTo(0x02014b50);
			buffer.putInt(at + 24, size);
			at += 46 + buffer.getShort(at + 28) + buffer.getShort(at + 30) + buffer.getShort(at + 32);
		}
		return buffer.array();
	}

}
