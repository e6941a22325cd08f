package io.deepserve.inference;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

import io.deepserve.nn.Architectures;
import io.deepserve.registry.ArtifactFormat;
import io.deepserve.registry.ModelRegistry;
import io.deepserve.registry.NewModelVersion;
import io.deepserve.registry.RegistryHttp;
import io.deepserve.registry.ModelVersion;

import io.deepserve.ApplicationTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/** A saved DJL model directory, zipped, imports as format {@code djl} and loads back through the registry. */
class DjlModelImportTests extends ApplicationTestSupport {

	@Autowired
	Architectures architectures;

	@Autowired
	ModelRegistry registry;

	@Autowired
	ModelLoader loader;

	@Autowired
	ObjectMapper json;

	@Test
	void aSavedResnetImportsWithItsParameterCountAndLoadsBack(@TempDir Path work) throws Exception {
		Block block = architectures.newClassifier("resnet18", 2);
		Path saved = work.resolve("saved");
		try (Model model = Model.newInstance("shapes")) {
			model.setBlock(block);
			block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 3, 32, 32));
			model.save(Files.createDirectories(saved), "shapes");
		}
		String metadata = """
				{"task": "image-classification", "architecture": "resnet18", "labels": ["x", "o"],
				 "preprocessing": {"imageSize": 32}}""";

		ResponseEntity<String> created = RegistryHttp.importVersion(http, "shapes", zipFolder(saved, "shapes-model/"), metadata);

		assertThat(created.getStatusCode()).as(created.getBody()).isEqualTo(HttpStatus.CREATED);
		JsonNode v = json.readTree(created.getBody());
		assertThat(v.get("format").asText()).isEqualTo("djl");
		assertThat(v.get("parameters").asLong()).isEqualTo(architectures.parameterCount("resnet18", 2, 32));

		ModelVersion version = registry.resolve("shapes:1");
		Path dir = registry.materialize(version);
		assertThat(dir.resolve("shapes-0000.params")).exists();
		NewModelVersion spec = new NewModelVersion(version.task(), version.architecture(), null, version.labels(),
				version.preprocessing(), null, null, null, null, null);
		assertThat(loader.inspect(spec, ArtifactFormat.DJL, dir)).isEqualTo(v.get("parameters").asLong());
	}

	@Test
	void aDjlZipForAnArchitectureDeepserveCannotBuildIsRefused(@TempDir Path work) throws Exception {
		String metadata = """
				{"task": "image-classification", "architecture": "mystery-net", "labels": ["x", "o"],
				 "preprocessing": {"imageSize": 32}}""";
		Files.writeString(work.resolve("m-0000.params"), "DJL@ but not really");
		ResponseEntity<String> refused = RegistryHttp.importVersion(http, "mystery", zipFolder(work, ""), metadata);
		assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
		assertThat(json.readTree(refused.getBody()).get("code").asText()).isEqualTo("invalid_artifact");
	}

	private static byte[] zipFolder(Path folder, String prefix) throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (ZipOutputStream zip = new ZipOutputStream(bytes); Stream<Path> files = Files.list(folder)) {
			for (Path file : files.toList()) {
				zip.putNextEntry(new ZipEntry(prefix + file.getFileName()));
				zip.write(Files.readAllBytes(file));
				zip.closeEntry();
			}
		}
		return bytes.toByteArray();
	}

}
