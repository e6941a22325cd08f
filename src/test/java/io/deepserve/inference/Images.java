package io.deepserve.inference;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

import javax.imageio.ImageIO;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.util.MultiValueMap;
import org.springframework.util.LinkedMultiValueMap;

import static org.assertj.core.api.Assertions.assertThat;

/** Test images and the HTTP call that classifies them. */
public final class Images {

	private static final ObjectMapper JSON = new ObjectMapper();

	private Images() {
	}

	public static byte[] tinyTorchScript() {
		try (InputStream in = Images.class.getResourceAsStream("/fixtures/tiny-classifier.pt")) {
			return in.readAllBytes();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Metadata for the tiny fixture (3 classes, 32 x 32) with the given serving settings (JSON object or null). */
	public static String tinyMetadata(String serving) {
		return """
				{"task": "image-classification", "architecture": "torchscript", "labels": ["cat", "dog", "fish"],
				 "preprocessing": {"imageSize": 32, "mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25]}%s}"""
			.formatted(serving == null ? "" : ", \"serving\": " + serving);
	}

	/**
	 * A freshly initialised DJL classifier of {@code architecture}, saved and zipped as the registry imports it. Its
	 * weights are drawn after seeding the engine, so a test gets the same network whichever tests ran before it.
	 */
	public static byte[] savedDjlClassifier(io.deepserve.nn.Architectures architectures, String architecture,
			int classes, int imageSize) throws IOException {
		java.nio.file.Path saved = java.nio.file.Files.createTempDirectory("saved-model-");
		try {
			ai.djl.engine.Engine.getInstance().setRandomSeed(classes * 1000 + imageSize);
			ai.djl.nn.Block block = architectures.newClassifier(architecture, classes);
			try (ai.djl.Model model = ai.djl.Model.newInstance("saved")) {
				model.setBlock(block);
				block.initialize(model.getNDManager(), ai.djl.ndarray.types.DataType.FLOAT32,
						new ai.djl.ndarray.types.Shape(1, 3, imageSize, imageSize));
				model.save(saved, "saved");
			}
			ByteArrayOutputStream zip = new ByteArrayOutputStream();
			try (java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(zip);
					var files = java.nio.file.Files.list(saved)) {
				for (java.nio.file.Path file : files.toList()) {
					out.putNextEntry(new java.util.zip.ZipEntry(file.getFileName().toString()));
					out.write(java.nio.file.Files.readAllBytes(file));
					out.closeEntry();
				}
			}
			return zip.toByteArray();
		}
		finally {
			org.springframework.util.FileSystemUtils.deleteRecursively(saved);
		}
	}

	public static BufferedImage solid(int width, int height, Color color, int type) {
		BufferedImage image = new BufferedImage(width, height, type);
		Graphics2D g = image.createGraphics();
		g.setColor(color);
		g.fillRect(0, 0, width, height);
		g.dispose();
		return image;
	}

	/** A picture with some structure, so different images give different answers. */
	public static BufferedImage pattern(int width, int height, long seed) {
		java.util.Random random = new java.util.Random(seed);
		BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
		Graphics2D g = image.createGraphics();
		for (int i = 0; i < 12; i++) {
			g.setColor(new Color(random.nextInt(0xffffff)));
			g.fillOval(random.nextInt(width), random.nextInt(height), 4 + random.nextInt(width), 4 + random.nextInt(height));
		}
		g.dispose();
		return image;
	}

	public static byte[] encode(BufferedImage image, String format) {
		try {
			ByteArrayOutputStream out = new ByteArrayOutputStream();
			if (!ImageIO.write(image, format, out)) {
				throw new IllegalStateException("no " + format + " writer for " + image.getType());
			}
			return out.toByteArray();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Posts {@code image} as the multipart part {@code image}, named {@code filename}. */
	public static ResponseEntity<String> classifyMultipart(TestRestTemplate http, String ref, byte[] image,
			String filename) {
		MultiValueMap<String, Object> parts = new LinkedMultiValueMap<>();
		parts.add("image", new ByteArrayResource(image) {
			@Override
			public String getFilename() {
				return filename;
			}
		});
		HttpHeaders headers = new HttpHeaders();
		headers.setContentType(MediaType.MULTIPART_FORM_DATA);
		return http.postForEntity("/api/v1/models/" + ref + "/classify?topK=3", new HttpEntity<>(parts, headers),
				String.class);
	}

	public static ResponseEntity<String> classify(TestRestTemplate http, String ref, byte[] body, MediaType type) {
		HttpHeaders headers = new HttpHeaders();
		headers.setContentType(type);
		return http.postForEntity("/api/v1/models/" + ref + "/classify?topK=3", new HttpEntity<>(body, headers),
				String.class);
	}

	/** Every label's probability (of the answer's top 3) for a PNG that {@code ref} must classify with 200. */
	public static Map<String, Double> probabilities(TestRestTemplate http, String ref, byte[] png) {
		ResponseEntity<String> response = classify(http, ref, png, MediaType.IMAGE_PNG);
		assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(HttpStatus.OK);
		Map<String, Double> out = new TreeMap<>();
		try {
			JSON.readTree(response.getBody())
				.get("predictions")
				.forEach(p -> out.put(p.get("label").asText(), p.get("probability").asDouble()));
		}
		catch (JsonProcessingException ex) {
			throw new UncheckedIOException(ex);
		}
		return out;
	}

}
