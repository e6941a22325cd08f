package io.deepserve.dataset;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.deepserve.storage.ArtifactStore;
import io.deepserve.storage.Sha256;
import io.deepserve.error.DeepserveException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DatasetLifecycleTests extends DatasetTestSupport {

	@Autowired
	DatasetService datasets;

	@Autowired
	ArtifactStore store;

	@Autowired
	JdbcClient jdbc;

	@Test
	void aStoredDatasetIsListedAndCanBeFetched() {
		JsonNode created = upload("listed", "images", "a.zip", zip(Map.of("a/1.png", png(), "b/1.png", png())))
			.getBody();
		String id = created.path("id").asText();

		assertThat(get("/api/v1/datasets").getBody().findValuesAsText("id")).contains(id);
		assertThat(get("/api/v1/datasets?name=listed").getBody()).allSatisfy(
				d -> assertThat(d.path("name").asText()).isEqualTo("listed"));
		assertThat(get("/api/v1/datasets/" + id).getBody()).isEqualTo(created);
		assertThat(datasets.get(id).classes()).containsExactly("a", "b");
	}

	/** More lists than the connection pool holds: each one must give its connection back (a page polls this). */
	@Test
	void listingOftenLeaksNoDatabaseConnection() {
		for (int i = 0; i < 25; i++) {
			assertThat(http.getForEntity("/api/v1/datasets", String.class).getStatusCode()).isEqualTo(HttpStatus.OK);
			assertThat(http.getForEntity("/api/v1/datasets?name=listed", String.class).getStatusCode())
				.isEqualTo(HttpStatus.OK);
		}
	}

	@Test
	void aRecipeMayNameADatasetByIdOrByNameMeaningTheNewest() {
		String older = upload("named", "images", "a.zip", zip(Map.of("a/1.png", png(), "b/1.png", png()))).getBody()
			.path("id")
			.asText();
		String newer = upload("named", "images", "b.zip", zip(Map.of("c/1.png", png(), "d/1.png", png())))
			.getBody()
			.path("id")
			.asText();

		assertThat(datasets.resolve("named").id()).isEqualTo(newer);
		assertThat(datasets.resolve(older).id()).isEqualTo(older);
		assertThatThrownBy(() -> datasets.resolve("no-such-dataset")).isInstanceOf(DeepserveException.class)
			.extracting("code")
			.isEqualTo("dataset_not_found");
	}

	@Test
	void rejectedUploadsLoseNothingAndLeaveNothingBehind() throws IOException {
		byte[] good = zip(Map.of("a/1.png", png(), "b/1.png", png(), "b/2.png", png()));
		Dataset kept = datasets.get(upload("kept", "images", "a.zip", good).getBody().path("id").asText());
		Set<String> filesBefore = files(DATA_DIR.resolve("artifacts"));
		long rowsBefore = rows();

		assertProblem(upload("bad", "images", "a.zip", "not a zip".getBytes()), HttpStatus.BAD_REQUEST,
				"invalid_archive");
		assertProblem(upload("bad", "images", "a.zip", zip(Map.of("../a/1.png", png()))), HttpStatus.BAD_REQUEST,
				"unsafe_zip_entry");
		assertProblem(upload("bad", "images", "a.zip", zip(Map.of("a/1.png", png(), "b/1.png", new byte[9]))),
				HttpStatus.BAD_REQUEST, "invalid_image");
		assertProblem(upload("bad", "series", "a.csv", "a\nInfinity\n".getBytes()), HttpStatus.BAD_REQUEST,
				"invalid_number");
		assertProblem(upload("kept", "images", "a.zip", zip(Map.of("a/1.png", png()))), HttpStatus.BAD_REQUEST,
				"too_few_classes");

		assertThat(files(DATA_DIR.resolve("artifacts"))).isEqualTo(filesBefore);
		assertThat(rows()).isEqualTo(rowsBefore);
		assertThat(files(DATA_DIR.resolve("cache/uploads"))).isEmpty();
		assertThat(get("/api/v1/datasets?name=kept").getBody().findValuesAsText("id")).containsExactly(kept.id());
		try (InputStream in = store.openVerified("datasets/" + kept.id() + ".zip", kept.sha256())) {
			assertThat(Sha256.of(in)).isEqualTo(Sha256.of(good));
		}
		try (ImageFolder images = datasets.openImages(kept.id())) {
			assertThat(images.entries()).hasSize(3);
		}
	}

	@Test
	void deleteRemovesTheRowAndTheFile() {
		String id = sample("sine?rows=30&name=doomed").getBody().path("id").asText();
		Path file = DATA_DIR.resolve("artifacts/datasets/" + id + ".csv");
		assertThat(file).exists();

		ResponseEntity<Void> deleted = http.exchange("/api/v1/datasets/" + id, HttpMethod.DELETE, null, Void.class);

		assertThat(deleted.getStatusCode()).isEqualTo(HttpStatus.NO_CONTENT);
		assertThat(file).doesNotExist();
		assertProblem(get("/api/v1/datasets/" + id), HttpStatus.NOT_FOUND, "dataset_not_found");
		assertThat(http.exchange("/api/v1/datasets/" + id, HttpMethod.DELETE, null, JsonNode.class).getStatusCode())
			.isEqualTo(HttpStatus.NOT_FOUND);
		assertThat(get("/api/v1/datasets").getBody().findValuesAsText("id")).doesNotContain(id);
	}

	private long rows() {
		return jdbc.sql("SELECT COUNT(*) FROM datasets").query(Long.class).single();
	}

	/** Every regular file under {@code dir}, relative to it. */
	private static Set<String> files(Path dir) throws IOException {
		if (!Files.exists(dir)) {
			return Set.of();
		}
		try (Stream<Path> walk = Files.walk(dir)) {
			return walk.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).collect(Collectors.toSet());
		}
	}

}
