package io.deepserve.registry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;

/** Test helpers: import artifacts over HTTP and build fixture archives. */
public final class RegistryHttp {

	static final String TINY_METADATA = """
			{"task": "image-classification", "architecture": "torchscript",
			 "labels": ["cat", "dog", "fish"],
			 "preprocessing": {"imageSize": 32, "mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25]}}""";

	private RegistryHttp() {
	}

	static byte[] tinyTorchScript() throws IOException {
		try (InputStream in = RegistryHttp.class.getResourceAsStream("/fixtures/tiny-classifier.pt")) {
			return in.readAllBytes();
		}
	}

	/** Imports over HTTP; the registry tells the format from the bytes, so the part's file name does not matter. */
	public static ResponseEntity<String> importVersion(TestRestTemplate http, String name, byte[] artifact,
			String metadata) {
		MultiValueMap<String, Object> parts = new LinkedMultiValueMap<>();
		parts.add("artifact", new ByteArrayResource(artifact) {
			@Override
			public String getFilename() {
				return "artifact";
			}
		});
		HttpHeaders jsonPart = new HttpHeaders();
		jsonPart.setContentType(MediaType.APPLICATION_JSON);
		parts.add("metadata", new HttpEntity<>(metadata, jsonPart));
		HttpHeaders headers = new HttpHeaders();
		headers.setContentType(MediaType.MULTIPART_FORM_DATA);
		return http.postForEntity("/api/v1/models/" + name + "/versions", new HttpEntity<>(parts, headers),
				String.class);
	}

	static byte[] zip(String... namesAndContents) throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
			for (int i = 0; i < namesAndContents.length; i += 2) {
				zip.putNextEntry(new ZipEntry(namesAndContents[i]));
				zip.write(namesAndContents[i + 1].getBytes());
				zip.closeEntry();
			}
		}
		return bytes.toByteArray();
	}

}
