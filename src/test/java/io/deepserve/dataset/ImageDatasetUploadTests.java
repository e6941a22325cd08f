package io.deepserve.dataset;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

import io.deepserve.storage.Sha256;

import static org.assertj.core.api.Assertions.assertThat;

class ImageDatasetUploadTests extends DatasetTestSupport {

	@Test
	void storesAnImageFolderZipWithItsClassesAndCounts() {
		byte[] zip = zip(Map.of("cat/1.png", png(), "cat/2.jpg", image("jpeg", 8, 8), "dog/1.jpeg",
				image("jpeg", 8, 8)));

		ResponseEntity<JsonNode> response = upload("pets", "images", "pets.zip", zip);

		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.CREATED);
		JsonNode body = response.getBody();
		assertThat(response.getHeaders().getLocation()).hasToString("/api/v1/datasets/" + body.path("id").asText());
		assertThat(body.path("name").asText()).isEqualTo("pets");
		assertThat(body.path("kind").asText()).isEqualTo("images");
		assertThat(body.path("classes").toString()).isEqualTo("[\"cat\",\"dog\"]");
		assertThat(body.path("counts").toString()).isEqualTo("{\"cat\":2,\"dog\":1}");
		assertThat(body.path("sha256").asText()).isEqualTo(Sha256.of(zip));
		assertThat(body.path("sizeBytes").asLong()).isEqualTo(zip.length);
		assertThat(body.has("splits")).isFalse();
		assertThat(body.has("createdAt")).isTrue();
	}

	@Test
	void readsTrainAndValSplitsInsideOneWrappingFolderAndIgnoresMacOsLeftovers() {
		Map<String, byte[]> entries = new LinkedHashMap<>();
		entries.put("shapes/train/x/1.png", png());
		entries.put("shapes/train/x/2.png", png());
		entries.put("shapes/train/o/1.png", png());
		entries.put("shapes/val/x/3.png", png());
		entries.put("shapes/.DS_Store", new byte[] { 1, 2 });
		entries.put("__MACOSX/shapes/train/x/._1.png", new byte[] { 3 });

		JsonNode body = upload("split", "images", "split.zip", zip(entries)).getBody();

		assertThat(body.path("classes").toString()).isEqualTo("[\"o\",\"x\"]");
		assertThat(body.path("counts").toString()).isEqualTo("{\"o\":1,\"x\":3}");
		assertThat(body.path("splits").toString()).isEqualTo("{\"train\":{\"o\":1,\"x\":2},\"val\":{\"x\":1}}");
	}

	@Test
	void refusesWhatIsNotAZip() {
		assertProblem(upload("bad", "images", "a.zip", "just text".getBytes()), HttpStatus.BAD_REQUEST,
				"invalid_archive");
	}

	@Test
	void refusesAnEmptyZipAndAnEmptyFile() {
		assertProblem(upload("bad", "images", "a.zip", zip(Map.of())), HttpStatus.BAD_REQUEST, "empty_dataset");
		assertProblem(upload("bad", "images", "a.zip", zip(Map.of("cat/", new byte[0]))), HttpStatus.BAD_REQUEST,
				"empty_dataset");
		assertProblem(upload("bad", "images", "a.zip", new byte[0]), HttpStatus.BAD_REQUEST, "empty_dataset");
	}

	@Test
	void refusesEntriesThatWouldEscapeTheirFolder() {
		for (String name : new String[] { "../evil/1.png", "cat/../../1.png", "/etc/cat/1.png", "C:/cat/1.png",
				"cat\\..\\..\\1.png" }) {
			byte[] zip = zip(new LinkedHashMap<>(Map.of("dog/1.png", png(), name, png())));
			assertThat(assertProblem(upload("bad", "images", "a.zip", zip), HttpStatus.BAD_REQUEST,
					"unsafe_zip_entry"))
				.contains(name);
		}
	}

	@Test
	void namesTheEntryThatIsNotAnImage() {
		byte[] truncated = Arrays.copyOf(png(), 40);
		String detail = assertProblem(
				upload("bad", "images", "a.zip", zip(Map.of("cat/1.png", png(), "dog/broken.png", truncated))),
				HttpStatus.BAD_REQUEST, "invalid_image");
		assertThat(detail).contains("dog/broken.png");

		detail = assertProblem(upload("bad", "images", "a.zip",
				zip(Map.of("cat/1.png", png(), "dog/notes.png", "hello".getBytes()))), HttpStatus.BAD_REQUEST,
				"invalid_image");
		assertThat(detail).contains("dog/notes.png");

		assertProblem(upload("bad", "images", "a.zip", zip(Map.of("cat/1.png", png(), "dog/1.gif", png()))),
				HttpStatus.BAD_REQUEST, "invalid_image");
	}

	@Test
	void needsTwoClasses() {
		assertProblem(upload("bad", "images", "a.zip", zip(Map.of("cat/1.png", png(), "cat/2.png", png()))),
				HttpStatus.BAD_REQUEST, "too_few_classes");
	}

	@Test
	void refusesFilesOutsideTheClassFolders() {
		assertProblem(upload("bad", "images", "a.zip", zip(Map.of("cat/1.png", png(), "loose.png", png()))),
				HttpStatus.BAD_REQUEST, "invalid_layout");
		assertProblem(upload("bad", "images", "a.zip", zip(Map.of("val/cat/1.png", png(), "val/dog/1.png", png()))),
				HttpStatus.BAD_REQUEST, "invalid_layout");
	}

	@Test
	void refusesAnImageWhoseHeaderDeclaresTooManyPixelsWithoutDecodingIt() {
		// Only a header: decoding would fail, so 413 proves the size was read and refused first.
		byte[] bomb = pngHeader(100_000, 100_000);
		String detail = assertProblem(
				upload("bad", "images", "a.zip", zip(Map.of("cat/1.png", png(), "dog/bomb.png", bomb))),
				HttpStatus.PAYLOAD_TOO_LARGE, "image_too_large");
		assertThat(detail).contains("dog/bomb.png");
	}

	@Test
	void refusesAZipThatExpandsPastTheLimit() {
		byte[] zeros = new byte[17 * 1024 * 1024];
		byte[] zip = zip(Map.of("cat/1.png", png(), "dog/1.png", zeros));
		assertThat(zip.length).isLessThan(100_000);
		assertProblem(upload("bad", "images", "a.zip", zip), HttpStatus.PAYLOAD_TOO_LARGE, "archive_too_large");
	}

	@Test
	void refusesTooManyEntries() {
		Map<String, byte[]> entries = new LinkedHashMap<>();
		for (int i = 0; i <= 1000; i++) {
			entries.put((i % 2 == 0 ? "cat/" : "dog/") + i + ".png", new byte[0]);
		}
		assertProblem(upload("bad", "images", "a.zip", zip(entries)), HttpStatus.PAYLOAD_TOO_LARGE,
				"too_many_entries");
	}

	@Test
	void checksNameAndKind() {
		byte[] zip = zip(Map.of("cat/1.png", png(), "dog/1.png", png()));
		assertProblem(upload("Bad Name", "images", "a.zip", zip), HttpStatus.BAD_REQUEST, "invalid_name");
		assertProblem(upload("ok", "videos", "a.zip", zip), HttpStatus.BAD_REQUEST, "invalid_kind");
	}

	/** The signature and IHDR chunk of a PNG, and nothing after. */
	private static byte[] pngHeader(int width, int height) {
		ByteBuffer ihdr = ByteBuffer.allocate(17);
		ihdr.put("IHDR".getBytes(StandardCharsets.US_ASCII)).putInt(width).putInt(height);
		ihdr.put(new byte[] { 8, 2, 0, 0, 0 });
		CRC32 crc = new CRC32();
		crc.update(ihdr.array());
		return ByteBuffer.allocate(8 + 4 + 17 + 4)
			.put(new byte[] { (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' })
			.putInt(13)
			.put(ihdr.array())
			.putInt((int) crc.getValue())
			.array();
	}

}
