package io.deepserve.dataset;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import javax.imageio.ImageIO;

import com.fasterxml.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One application, shared by every dataset test class through Spring's context cache: keep the annotations and
 * properties here, not on the subclasses. The engine is not loaded; nothing here needs it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "deepserve.engine.load-at-startup=false", "deepserve.datasets.max-entries=1000",
				"deepserve.datasets.max-uncompressed-size=16MB" })
abstract class DatasetTestSupport {

	/** Not a JUnit {@code @TempDir}: that would be deleted after the first class while the context lives on. */
	static final Path DATA_DIR = newDataDir();

	@Autowired
	TestRestTemplate http;

	@DynamicPropertySource
	static void dataDir(DynamicPropertyRegistry registry) {
		registry.add("deepserve.data-dir", DATA_DIR::toString);
	}

	static Path newDataDir() {
		try {
			Path parent = Files.createDirectories(Path.of("target", "test-data"));
			return Files.createTempDirectory(parent, "datasets-").toAbsolutePath();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	ResponseEntity<JsonNode> upload(String name, String kind, String filename, byte[] bytes) {
		return http.postForEntity("/api/v1/datasets", uploadRequest(name, kind, filename, bytes), JsonNode.class);
	}

	ResponseEntity<JsonNode> upload(String name, String kind, String filename, byte[] bytes, String charset) {
		HttpEntity<MultiValueMap<String, Object>> request = uploadRequest(name, kind, filename, bytes);
		request.getBody().add("charset", charset);
		return http.postForEntity("/api/v1/datasets", request, JsonNode.class);
	}

	/** The multipart body of {@code POST /api/v1/datasets}. */
	static HttpEntity<MultiValueMap<String, Object>> uploadRequest(String name, String kind, String filename,
			byte[] bytes) {
		MultiValueMap<String, Object> form = new LinkedMultiValueMap<>();
		form.add("name", name);
		form.add("kind", kind);
		form.add("file", new ByteArrayResource(bytes) {
			@Override
			public String getFilename() {
				return filename;
			}
		});
		HttpHeaders headers = new HttpHeaders();
		headers.setContentType(MediaType.MULTIPART_FORM_DATA);
		return new HttpEntity<>(form, headers);
	}

	ResponseEntity<JsonNode> sample(String sampleAndQuery) {
		return http.postForEntity("/api/v1/datasets/samples/" + sampleAndQuery, null, JsonNode.class);
	}

	ResponseEntity<JsonNode> get(String path) {
		return http.getForEntity(path, JsonNode.class);
	}

	/** Asserts an RFC 9457 answer with {@code code}, and returns its detail. */
	static String assertProblem(ResponseEntity<JsonNode> response, HttpStatus status, String code) {
		assertThat(response.getStatusCode()).as("%s", response.getBody()).isEqualTo(status);
		assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(response.getBody().path("code").asText()).as("%s", response.getBody()).isEqualTo(code);
		return response.getBody().path("detail").asText();
	}

	/** A zip of the given entries, in order. */
	static byte[] zip(Map<String, byte[]> entries) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (ZipOutputStream out = new ZipOutputStream(bytes)) {
			for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
				out.putNextEntry(new ZipEntry(entry.getKey()));
				out.write(entry.getValue());
				out.closeEntry();
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return bytes.toByteArray();
	}

	static byte[] image(String format, int width, int height) {
		BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
		image.setRGB(width / 2, height / 2, 0xff8800);
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try {
			ImageIO.write(image, format, bytes);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return bytes.toByteArray();
	}

	static byte[] png() {
		return image("png", 8, 8);
	}

}
