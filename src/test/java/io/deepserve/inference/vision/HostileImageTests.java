package io.deepserve.inference.vision;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

import io.deepserve.ApplicationTestSupport;
import io.deepserve.ChunkedMultipart;
import io.deepserve.inference.Images;
import io.deepserve.registry.ForecastSpec;
import io.deepserve.registry.ModelRegistry;
import io.deepserve.registry.NewModelVersion;
import io.deepserve.registry.RegistryHttp;
import io.deepserve.registry.Task;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whatever arrives as an "image", the answer is a problem with a code, never a 500: limits in bytes and pixels,
 * lying content types, broken files, unusual colour models, unknown models and the wrong task.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileImageTests extends ApplicationTestSupport {

	private static final String MODEL = "hostile-tiny";

	@Autowired
	ObjectMapper json;

	@Autowired
	ModelRegistry registry;

	@BeforeAll
	void importTiny() {
		ResponseEntity<String> created = RegistryHttp.importVersion(http, MODEL, Images.tinyTorchScript(),
				Images.tinyMetadata(null));
		assertThat(created.getStatusCode()).as(created.getBody()).isEqualTo(HttpStatus.CREATED);
	}

	@Test
	void aBodyOverTheByteLimitIs413() {
		byte[] big = new byte[1536 * 1024];
		new Random(1).nextBytes(big);
		assertProblem(Images.classify(http, MODEL, big, MediaType.IMAGE_JPEG), HttpStatus.PAYLOAD_TOO_LARGE,
				"payload_too_large");
		assertProblem(multipart(big), HttpStatus.PAYLOAD_TOO_LARGE, "payload_too_large");
	}

	@Test
	void aChunkedMultipartOverTheByteLimitIs413AndLeavesNoFile() throws IOException {
		byte[] big = new byte[1536 * 1024];
		new Random(2).nextBytes(big);
		String uri = http.getRootUri() + "/api/v1/models/" + MODEL + "/classify";
		HttpResponse<String> refused = ChunkedMultipart.post(uri, Map.of(), "image", "big.jpg", big);
		assertThat(refused.statusCode()).as(refused.body()).isEqualTo(413);
		assertThat(json.readTree(refused.body()).get("code").asText()).isEqualTo("payload_too_large");
		assertThat(ChunkedMultipart.leftOver(DATA_DIR)).isEmpty();

		BufferedImage noise = new BufferedImage(400, 400, BufferedImage.TYPE_INT_RGB);
		Random random = new Random(3);
		for (int y = 0; y < 400; y++) {
			for (int x = 0; x < 400; x++) {
				noise.setRGB(x, y, random.nextInt(1 << 24));
			}
		}
		byte[] image = Images.encode(noise, "png");
		assertThat(image.length).as("over Tomcat's own 64 KB multipart cap, within max-image-bytes")
			.isBetween(64 * 1024, 1024 * 1024);
		HttpResponse<String> classified = ChunkedMultipart.post(uri, Map.of(), "image", "noise.png", image);
		assertThat(classified.statusCode()).as(classified.body()).isEqualTo(200);
	}

	@Test
	void aDecompressionBombIsRefusedFromItsHeader() throws IOException {
		byte[] bomb = blackPng(20_000, 20_000);
		assertThat(bomb.length).as("a small file that would decode to 400 megapixels").isLessThan(200_000);

		long before = usedHeap();
		assertProblem(Images.classify(http, MODEL, bomb, MediaType.IMAGE_PNG), HttpStatus.PAYLOAD_TOO_LARGE,
				"image_too_large");
		// decoding it as RGB would take 1.6 GB; refusing it takes next to nothing
		assertThat(usedHeap() - before).isLessThan(200L * 1024 * 1024);
	}

	@Test
	void bytesThatAreNoImageAre400WhateverTheirDeclaredType() {
		byte[] garbage = "definitely not a JPEG".getBytes();
		assertProblem(Images.classify(http, MODEL, garbage, MediaType.IMAGE_JPEG), HttpStatus.BAD_REQUEST,
				"invalid_image");
		assertProblem(Images.classify(http, MODEL, garbage, MediaType.APPLICATION_OCTET_STREAM),
				HttpStatus.BAD_REQUEST, "invalid_image");
		assertProblem(Images.classify(http, MODEL, new byte[0], MediaType.IMAGE_PNG), HttpStatus.BAD_REQUEST,
				"invalid_image");
		assertProblem(multipart(garbage), HttpStatus.BAD_REQUEST, "invalid_image");
	}

	@Test
	void theFormatComesFromTheBytesNotTheDeclaredType() {
		byte[] gif = Images.encode(Images.solid(16, 16, Color.GREEN, BufferedImage.TYPE_INT_RGB), "gif");
		assertProblem(Images.classify(http, MODEL, gif, MediaType.IMAGE_PNG), HttpStatus.BAD_REQUEST, "invalid_image");

		byte[] png = Images.encode(Images.pattern(32, 32, 5), "png");
		ResponseEntity<String> pngSentAsJpeg = Images.classify(http, MODEL, png, MediaType.IMAGE_JPEG);
		assertThat(pngSentAsJpeg.getStatusCode()).as(pngSentAsJpeg.getBody()).isEqualTo(HttpStatus.OK);
	}

	@Test
	void otherContentTypesAre415() {
		assertProblem(Images.classify(http, MODEL, "hello".getBytes(), MediaType.TEXT_PLAIN),
				HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
		assertProblem(Images.classify(http, MODEL, "{}".getBytes(), MediaType.APPLICATION_JSON),
				HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
	}

	@Test
	void truncatedImagesAre400() {
		byte[] png = Images.encode(Images.pattern(64, 64, 6), "png");
		byte[] jpeg = Images.encode(Images.pattern(64, 64, 7), "jpg");
		assertProblem(Images.classify(http, MODEL, Arrays.copyOf(png, png.length / 2), MediaType.IMAGE_PNG),
				HttpStatus.BAD_REQUEST, "invalid_image");
		assertProblem(Images.classify(http, MODEL, Arrays.copyOf(jpeg, jpeg.length / 2), MediaType.IMAGE_JPEG),
				HttpStatus.BAD_REQUEST, "invalid_image");
		assertProblem(Images.classify(http, MODEL, Arrays.copyOf(png, 20), MediaType.IMAGE_PNG),
				HttpStatus.BAD_REQUEST, "invalid_image");
	}

	@Test
	void grayscaleAlphaAndSixteenBitImagesAreConvertedToRgb() throws IOException {
		BufferedImage gray16 = new BufferedImage(40, 40, BufferedImage.TYPE_USHORT_GRAY);
		WritableRaster raster = gray16.getRaster();
		for (int y = 0; y < 40; y++) {
			for (int x = 0; x < 40; x++) {
				raster.setSample(x, y, 0, x * 1600);
			}
		}
		byte[][] images = { Images.encode(Images.solid(40, 40, Color.GRAY, BufferedImage.TYPE_BYTE_GRAY), "png"),
				Images.encode(Images.solid(40, 40, Color.GRAY, BufferedImage.TYPE_BYTE_GRAY), "jpg"),
				Images.encode(Images.solid(40, 40, new Color(200, 10, 10, 90), BufferedImage.TYPE_INT_ARGB), "png"),
				Images.encode(gray16, "png") };
		for (byte[] image : images) {
			ResponseEntity<String> response = Images.classify(http, MODEL, image, MediaType.APPLICATION_OCTET_STREAM);
			assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(HttpStatus.OK);
			assertThat(json.readTree(response.getBody()).get("predictions")).hasSize(3);
		}
		assertThat(ImageIO.read(new ByteArrayInputStream(images[3])).getColorModel().getComponentSize(0))
			.as("the PNG really is 16-bit").isEqualTo(16);
	}

	@Test
	void aCmykJpegIsConvertedToRgb() throws IOException {
		byte[] cmyk = cmykJpeg();
		assertThat(ImageIO.read(new ByteArrayInputStream(cmyk)).getColorModel().getColorSpace().getType())
			.as("the JPEG really is CMYK")
			.isEqualTo(java.awt.color.ColorSpace.TYPE_CMYK);

		ResponseEntity<String> response = Images.classify(http, MODEL, cmyk, MediaType.IMAGE_JPEG);

		assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(HttpStatus.OK);
		assertThat(json.readTree(response.getBody()).get("predictions")).hasSize(3);
	}

	@Test
	void unknownModelsAndVersionsAre404() {
		byte[] png = Images.encode(Images.pattern(32, 32, 8), "png");
		assertProblem(Images.classify(http, "no-such-model", png, MediaType.IMAGE_PNG), HttpStatus.NOT_FOUND,
				"model_not_found");
		assertProblem(Images.classify(http, MODEL + ":99", png, MediaType.IMAGE_PNG), HttpStatus.NOT_FOUND,
				"version_not_found");
		assertProblem(Images.classify(http, MODEL + "@nope", png, MediaType.IMAGE_PNG), HttpStatus.NOT_FOUND,
				"alias_not_found");
		assertProblem(Images.classify(http, "Not A Name", png, MediaType.IMAGE_PNG), HttpStatus.BAD_REQUEST,
				"invalid_name");
	}

	@Test
	void aForecasterCannotClassify() throws IOException {
		registry.register("hostile-forecaster", new NewModelVersion(Task.FORECASTING, "torchscript", null,
				null, null, new ForecastSpec(8, 2, "Close", null, null, null, null), null, null, null, null),
				new ByteArrayInputStream(Images.tinyTorchScript()));
		assertProblem(Images.classify(http, "hostile-forecaster", Images.encode(Images.pattern(32, 32, 9), "png"),
				MediaType.IMAGE_PNG), HttpStatus.BAD_REQUEST, "wrong_task");
	}

	@Test
	void aBadTopKIs400() {
		HttpHeaders headers = new HttpHeaders();
		headers.setContentType(MediaType.IMAGE_PNG);
		HttpEntity<byte[]> png = new HttpEntity<>(Images.encode(Images.pattern(32, 32, 10), "png"), headers);
		assertProblem(http.postForEntity("/api/v1/models/" + MODEL + "/classify?topK=0", png, String.class),
				HttpStatus.BAD_REQUEST, "invalid_request");
		assertProblem(http.postForEntity("/api/v1/models/" + MODEL + "/classify?topK=many", png, String.class),
				HttpStatus.BAD_REQUEST, "invalid_request");
	}

	private ResponseEntity<String> multipart(byte[] image) {
		return Images.classifyMultipart(http, MODEL, image, "image.jpg");
	}

	private void assertProblem(ResponseEntity<String> response, HttpStatus status, String code) {
		assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(status);
		assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		try {
			JsonNode body = json.readTree(response.getBody());
			assertThat(body.get("code").asText()).as(response.getBody()).isEqualTo(code);
		}
		catch (IOException ex) {
			throw new AssertionError(response.getBody(), ex);
		}
	}

	private static long usedHeap() {
		Runtime runtime = Runtime.getRuntime();
		return runtime.totalMemory() - runtime.freeMemory();
	}

	/** A valid 1-bit grayscale PNG of the given size, all black: about 50 kB that inflate to 50 MB. */
	private static byte[] blackPng(int width, int height) throws IOException {
		ByteArrayOutputStream png = new ByteArrayOutputStream();
		DataOutputStream out = new DataOutputStream(png);
		out.write(new byte[] { (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' });
		ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
		DataOutputStream header = new DataOutputStream(ihdr);
		header.writeInt(width);
		header.writeInt(height);
		header.write(new byte[] { 1, 0, 0, 0, 0 });
		chunk(out, "IHDR", ihdr.toByteArray());
		ByteArrayOutputStream idat = new ByteArrayOutputStream();
		try (DeflaterOutputStream z = new DeflaterOutputStream(idat, new Deflater(Deflater.BEST_COMPRESSION))) {
			byte[] row = new byte[1 + (width + 7) / 8];
			for (int y = 0; y < height; y++) {
				z.write(row);
			}
		}
		chunk(out, "IDAT", idat.toByteArray());
		chunk(out, "IEND", new byte[0]);
		return png.toByteArray();
	}

	private static void chunk(DataOutputStream out, String type, byte[] data) throws IOException {
		out.writeInt(data.length);
		byte[] name = type.getBytes();
		out.write(name);
		out.write(data);
		CRC32 crc = new CRC32();
		crc.update(name);
		crc.update(data);
		out.writeInt((int) crc.getValue());
	}

	/** Four colour channels written straight from a raster: what ImageIO reads back as CMYK. */
	private static byte[] cmykJpeg() throws IOException {
		WritableRaster raster = Raster.createInterleavedRaster(java.awt.image.DataBuffer.TYPE_BYTE, 16, 16, 4, null);
		for (int y = 0; y < 16; y++) {
			for (int x = 0; x < 16; x++) {
				raster.setPixel(x, y, new int[] { 10 * x, 10 * y, 50, 20 });
			}
		}
		ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
			writer.setOutput(out);
			writer.write(null, new IIOImage(raster, null, null), null);
		}
		finally {
			writer.dispose();
		}
		return bytes.toByteArray();
	}

}
