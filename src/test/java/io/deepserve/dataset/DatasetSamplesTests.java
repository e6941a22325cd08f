package io.deepserve.dataset;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.Arrays;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DatasetSamplesTests extends DatasetTestSupport {

	@Autowired
	DatasetService datasets;

	@Test
	void shapesHasEveryShapeWithTheDefaultCountPerClass() {
		ResponseEntity<JsonNode> response = sample("shapes?imageSize=32");

		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.CREATED);
		JsonNode body = response.getBody();
		assertThat(response.getHeaders().getLocation()).hasToString("/api/v1/datasets/" + body.path("id").asText());
		assertThat(body.path("name").asText()).isEqualTo("shapes");
		assertThat(body.path("kind").asText()).isEqualTo("images");
		assertThat(body.path("classes").toString())
			.isEqualTo("[\"diamond\",\"o\",\"plus\",\"square\",\"triangle\",\"x\"]");
		body.path("counts").forEach(count -> assertThat(count.asInt()).isEqualTo(60));
		assertThat(body.path("counts").size()).isEqualTo(6);
	}

	@Test
	void shapesDrawsTheChosenClassesAtTheChosenSize() throws IOException {
		JsonNode body = sample("shapes?name=two-shapes&classes=x,o&countPerClass=5&imageSize=40").getBody();

		assertThat(body.path("name").asText()).isEqualTo("two-shapes");
		assertThat(body.path("counts").toString()).isEqualTo("{\"o\":5,\"x\":5}");
		try (ImageFolder images = datasets.openImages(body.path("id").asText())) {
			assertThat(images.classes()).containsExactly("o", "x");
			assertThat(images.entries()).hasSize(10).allSatisfy(e -> assertThat(e.split()).isNull());
			BufferedImage image = images.read(images.entries().get(0));
			assertThat(image.getType()).isEqualTo(BufferedImage.TYPE_INT_RGB);
			assertThat(image.getWidth()).isEqualTo(40);
			assertThat(image.getHeight()).isEqualTo(40);
		}
	}

	@Test
	void theSameSeedGivesTheSameBytesAndAnotherSeedDifferentOnes() {
		String query = "shapes?classes=triangle,square,plus&countPerClass=4&imageSize=24&seed=";
		JsonNode first = sample(query + 7).getBody();
		JsonNode again = sample(query + 7).getBody();
		JsonNode other = sample(query + 8).getBody();

		assertThat(first.path("counts").toString()).isEqualTo("{\"plus\":4,\"square\":4,\"triangle\":4}");
		assertThat(again.path("id")).isNotEqualTo(first.path("id"));
		assertThat(again.path("sha256")).isEqualTo(first.path("sha256"));
		assertThat(other.path("sha256")).isNotEqualTo(first.path("sha256"));
		assertThat(sample("sine?rows=20&seed=3").getBody().path("sha256"))
			.isEqualTo(sample("sine?rows=20&seed=3").getBody().path("sha256"));
	}

	@Test
	void sineIsADatedValueColumn() throws IOException {
		JsonNode body = sample("sine").getBody();

		assertThat(body.path("kind").asText()).isEqualTo("series");
		assertThat(body.path("timeColumn").asText()).isEqualTo("date");
		assertThat(body.path("columns").toString()).isEqualTo("[\"value\"]");
		assertThat(body.path("rows").asInt()).isEqualTo(1000);
		SeriesTable table = datasets.readSeries(body.path("id").asText());
		assertThat(table.time()).startsWith("2020-01-01", "2020-01-02");
		double[] values = table.column("value");
		assertThat(values).hasSize(1000);
		// The yearly season: late March sits well above late September.
		assertThat(mean(values, 70, 100)).isGreaterThan(mean(values, 250, 280) + 10);
	}

	@Test
	void refusesUnknownSamplesShapesAndOutOfRangeParameters() {
		assertProblem(sample("mnist"), HttpStatus.NOT_FOUND, "sample_not_found");
		assertProblem(sample("MNIST"), HttpStatus.NOT_FOUND, "sample_not_found");
		assertProblem(sample("shapes?classes=x,star"), HttpStatus.BAD_REQUEST, "invalid_request");
		assertProblem(sample("shapes?classes=x"), HttpStatus.BAD_REQUEST, "too_few_classes");
		assertProblem(sample("shapes?countPerClass=0"), HttpStatus.BAD_REQUEST, "invalid_request");
		assertProblem(sample("shapes?imageSize=100000"), HttpStatus.BAD_REQUEST, "invalid_request");
		assertProblem(sample("sine?rows=abc"), HttpStatus.BAD_REQUEST, "invalid_request");
		assertProblem(sample("sine?name=Not%20Valid"), HttpStatus.BAD_REQUEST, "invalid_name");
	}

	@Test
	void theReadersCheckTheKind() {
		String sine = sample("sine?rows=20").getBody().path("id").asText();
		assertThat(datasets.list(null)).extracting(Dataset::id).contains(sine);
		assertThatThrownBy(() -> datasets.openImages(sine))
			.hasFieldOrPropertyWithValue("code", "wrong_dataset_kind");
	}

	private static double mean(double[] values, int from, int to) {
		return Arrays.stream(values, from, to).average().orElseThrow();
	}

}
