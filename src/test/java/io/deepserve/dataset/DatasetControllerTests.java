package io.deepserve.dataset;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.autoconfigure.web.servlet.WebMvcTest;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.web.multipart.MultipartFile;

import io.deepserve.config.DeepserveProperties;
import io.deepserve.error.InvalidInputException;
import io.deepserve.error.NotFoundException;
import io.deepserve.error.PayloadTooLargeException;

import static io.deepserve.web.ProblemMatchers.problem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.hasSize;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.isNull;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/** The datasets' HTTP edge: upload and sample parameters, the answers' shape, and the service's refusals. */
@WebMvcTest(DatasetController.class)
@EnableConfigurationProperties(DeepserveProperties.class)
class DatasetControllerTests {

	@Autowired
	MockMvc mvc;

	@MockitoBean
	DatasetService datasets;

	@Test
	void anUploadIs201WithTheDatasetAndItsLocation() throws Exception {
		when(datasets.upload(eq("shapes"), eq("images"), isNull(), any())).thenReturn(images());

		mvc.perform(multipart("/api/v1/datasets").file(file()).param("name", "shapes").param("kind", "images"))
			.andExpect(status().isCreated())
			.andExpect(header().string(HttpHeaders.LOCATION, "/api/v1/datasets/ds-1"))
			.andExpect(jsonPath("$.id").value("ds-1"))
			.andExpect(jsonPath("$.kind").value("images"))
			.andExpect(jsonPath("$.classes", hasSize(2)))
			.andExpect(jsonPath("$.counts.circle").value(20))
			.andExpect(jsonPath("$.sha256").value("abc123"))
			.andExpect(jsonPath("$.columns").doesNotExist());

		ArgumentCaptor<MultipartFile> file = ArgumentCaptor.forClass(MultipartFile.class);
		verify(datasets).upload(eq("shapes"), eq("images"), isNull(), file.capture());
		assertThat(file.getValue().getBytes()).isEqualTo(file().getBytes());
	}

	@Test
	void aSeriesUploadPassesItsCharset() throws Exception {
		when(datasets.upload(eq("prices"), eq("series"), eq("ISO-8859-1"), any())).thenReturn(series());

		mvc.perform(multipart("/api/v1/datasets").file(file())
			.param("name", "prices")
			.param("kind", "series")
			.param("charset", "ISO-8859-1"))
			.andExpect(status().isCreated())
			.andExpect(jsonPath("$.columns[1]").value("Close"))
			.andExpect(jsonPath("$.rows").value(250));
	}

	@Test
	void anUploadWithoutItsFileOrNameIs400() throws Exception {
		mvc.perform(multipart("/api/v1/datasets").param("name", "shapes").param("kind", "images"))
			.andExpect(problem(400, "bad_request"));
		mvc.perform(multipart("/api/v1/datasets").file(file()).param("kind", "images"))
			.andExpect(problem(400, "bad_request"));
		verifyNoInteractions(datasets);
	}

	@Test
	void anUploadThatIsNotMultipartIs415() throws Exception {
		mvc.perform(post("/api/v1/datasets").contentType(MediaType.APPLICATION_JSON).content("{\"name\": \"shapes\"}"))
			.andExpect(problem(415, "unsupported_media_type"));
		verifyNoInteractions(datasets);
	}

	@Test
	void theServicesRefusalsKeepTheirStatusAndCode() throws Exception {
		when(datasets.upload(eq("Bad Name"), anyString(), any(), any()))
			.thenThrow(new InvalidInputException("invalid_name", "dataset name 'Bad Name' must match"));
		when(datasets.upload(eq("huge"), anyString(), any(), any()))
			.thenThrow(new PayloadTooLargeException("the dataset file is larger than the limit"));

		mvc.perform(multipart("/api/v1/datasets").file(file()).param("name", "Bad Name").param("kind", "images"))
			.andExpect(problem(400, "invalid_name"));
		mvc.perform(multipart("/api/v1/datasets").file(file()).param("name", "huge").param("kind", "images"))
			.andExpect(problem(413, "payload_too_large"));
	}

	@Test
	void aSampleReadsItsSettingsFromTheQuery() throws Exception {
		when(datasets.sample(eq("shapes"), any())).thenReturn(images());

		mvc.perform(post("/api/v1/datasets/samples/shapes").param("name", "my-shapes")
			.param("classes", "circle", "square")
			.param("countPerClass", "20")
			.param("imageSize", "32")
			.param("seed", "7"))
			.andExpect(status().isCreated())
			.andExpect(header().string(HttpHeaders.LOCATION, "/api/v1/datasets/ds-1"))
			.andExpect(jsonPath("$.name").value("shapes"));

		ArgumentCaptor<SampleRequest> request = ArgumentCaptor.forClass(SampleRequest.class);
		verify(datasets).sample(eq("shapes"), request.capture());
		assertThat(request.getValue()).isEqualTo(new SampleRequest("my-shapes", List.of("circle", "square"), 20, 32,
				null, 7L));
	}

	@Test
	void aSampleSettingOutOfRangeIs400NamingTheField() throws Exception {
		mvc.perform(post("/api/v1/datasets/samples/shapes").param("countPerClass", "1"))
			.andExpect(problem(400, "invalid_request"))
			.andExpect(jsonPath("$.fields.countPerClass").exists());
		mvc.perform(post("/api/v1/datasets/samples/shapes").param("imageSize", "4096"))
			.andExpect(problem(400, "invalid_request"))
			.andExpect(jsonPath("$.fields.imageSize").exists());
		mvc.perform(post("/api/v1/datasets/samples/sine").param("rows", "big"))
			.andExpect(problem(400, "invalid_request"))
			.andExpect(jsonPath("$.fields.rows").exists());
		mvc.perform(post("/api/v1/datasets/samples/shapes").param("classes", "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q"))
			.andExpect(problem(400, "invalid_request"))
			.andExpect(jsonPath("$.fields.classes").exists());
		verifyNoInteractions(datasets);
	}

	@Test
	void anUnknownSampleIs404() throws Exception {
		when(datasets.sample(eq("cats"), any()))
			.thenThrow(new NotFoundException("sample_not_found", "there is no sample 'cats'"));

		mvc.perform(post("/api/v1/datasets/samples/cats")).andExpect(problem(404, "sample_not_found"));
	}

	@Test
	void listingFiltersByName() throws Exception {
		when(datasets.list("shapes")).thenReturn(List.of(images()));

		mvc.perform(get("/api/v1/datasets").param("name", "shapes"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$", hasSize(1)))
			.andExpect(jsonPath("$[0].id").value("ds-1"));
		verify(datasets).list("shapes");
	}

	@Test
	void oneDatasetOr404() throws Exception {
		when(datasets.get("ds-1")).thenReturn(images());
		when(datasets.get("ds-9")).thenThrow(new NotFoundException("dataset_not_found", "there is no dataset 'ds-9'"));

		mvc.perform(get("/api/v1/datasets/ds-1"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.splits.train.circle").value(16))
			.andExpect(jsonPath("$.createdAt").value("2026-01-02T03:04:05Z"));
		mvc.perform(get("/api/v1/datasets/ds-9")).andExpect(problem(404, "dataset_not_found"));
	}

	@Test
	void deletingIs204Or404() throws Exception {
		mvc.perform(delete("/api/v1/datasets/ds-1")).andExpect(status().isNoContent());
		verify(datasets).delete("ds-1");

		doThrow(new NotFoundException("dataset_not_found", "there is no dataset 'ds-9'")).when(datasets)
			.delete("ds-9");
		mvc.perform(delete("/api/v1/datasets/ds-9")).andExpect(problem(404, "dataset_not_found"));
	}

	private static MockMultipartFile file() {
		return new MockMultipartFile("file", "shapes.zip", "application/zip",
				"PK\u0003\u0004 not really a zip".getBytes(StandardCharsets.ISO_8859_1));
	}

	private static Dataset images() {
		return new Dataset("ds-1", "shapes", "images", "abc123", 42, Instant.parse("2026-01-02T03:04:05Z"),
				List.of("circle", "square"), Map.of("circle", 20, "square", 20),
				new Dataset.Splits(Map.of("circle", 16, "square", 16), Map.of("circle", 4, "square", 4)), null, null,
				null, null, null);
	}

	private static Dataset series() {
		return new Dataset("ds-2", "prices", "series", "def456", 4096, Instant.parse("2026-01-02T03:04:05Z"), null,
				null, null, List.of("Date", "Close"), "Date", 250, "business-day", null);
	}

}
