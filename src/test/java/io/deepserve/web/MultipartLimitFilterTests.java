package io.deepserve.web;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.Part;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.http.converter.json.Jackson2ObjectMapperBuilder;
import org.springframework.mock.web.DelegatingServletInputStream;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.util.unit.DataSize;

import io.deepserve.config.DeepserveProperties;
import io.deepserve.error.UnavailableException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

class MultipartLimitFilterTests {

	// as Spring Boot builds it: with the mixin that writes a problem's properties at the top level
	private static final ObjectMapper JSON = Jackson2ObjectMapperBuilder.json().build();

	@TempDir
	Path dataDir;

	private MultipartLimitFilter filter;

	@BeforeEach
	void filter() {
		DeepserveProperties properties = mock(DeepserveProperties.class);
		DeepserveProperties.Inference inference = mock(DeepserveProperties.Inference.class);
		DeepserveProperties.Datasets datasets = mock(DeepserveProperties.Datasets.class);
		DeepserveProperties.Registry registry = mock(DeepserveProperties.Registry.class);
		when(properties.inference()).thenReturn(inference);
		when(properties.datasets()).thenReturn(datasets);
		when(properties.registry()).thenReturn(registry);
		when(properties.dataDir()).thenReturn(dataDir);
		when(inference.maxImageBytes()).thenReturn(DataSize.ofMegabytes(1));
		when(datasets.maxUploadSize()).thenReturn(DataSize.ofMegabytes(10));
		when(registry.maxArtifactSize()).thenReturn(DataSize.ofMegabytes(100));
		filter = new MultipartLimitFilter(properties, JSON, DataSize.ofKilobytes(64));
	}

	@Test
	void eachEndpointRefusesAnUploadOverItsOwnLimitByItsLength() throws Exception {
		long image = DataSize.ofMegabytes(1).toBytes() + MultipartLimitFilter.ENVELOPE;
		assertThat(status("/api/v1/models/m/classify", image + 1)).isEqualTo(413);
		assertThat(status("/api/v1/models/m/classify", image)).isEqualTo(200);
		assertThat(status("/api/v1/datasets", image + 1)).as("a dataset may be larger than an image").isEqualTo(200);
		assertThat(status("/api/v1/datasets", DataSize.ofMegabytes(11).toBytes())).isEqualTo(413);
		assertThat(status("/api/v1/models/m/versions", DataSize.ofMegabytes(11).toBytes())).isEqualTo(200);
		assertThat(status("/api/v1/models/m/versions", DataSize.ofMegabytes(101).toBytes())).isEqualTo(413);
		MockHttpServletResponse refused = run(multipart("/api/v1/models/m/classify", image + 1));
		assertThat(refused.getContentType()).isEqualTo("application/problem+json");
		assertThat(JSON.readTree(refused.getContentAsString()).get("code").asText()).isEqualTo("payload_too_large");
	}

	@Test
	void rawBodiesAndOtherEndpointsPass() throws Exception {
		MockHttpServletRequest raw = new MockHttpServletRequest("POST", "/api/v1/models/m/classify");
		raw.setContentType("image/png");
		raw.addHeader("Content-Length", DataSize.ofMegabytes(50).toBytes());
		assertThat(run(raw).getStatus()).isEqualTo(200);
		assertThat(run(multipart("/api/v1/training/jobs", DataSize.ofGigabytes(5).toBytes())).getStatus())
			.isEqualTo(200);
	}

	@Test
	void aChunkedUploadOverItsLimitIsRefusedAndLeavesNoFileBehind() throws Exception {
		byte[] image = new byte[(int) DataSize.ofMegabytes(1).toBytes() + (int) MultipartLimitFilter.ENVELOPE];
		MockHttpServletResponse refused = run(chunked("/api/v1/models/m/classify", body("image", "a.png", image)));
		assertThat(refused.getStatus()).isEqualTo(413);
		assertThat(JSON.readTree(refused.getContentAsString()).get("code").asText()).isEqualTo("payload_too_large");
		assertThat(tmpFiles()).isEmpty();
		assertThat(run(chunked("/api/v1/datasets", body("file", "a.zip", image))).getStatus())
			.as("a dataset may be larger than an image")
			.isEqualTo(200);
	}

	@Test
	void aChunkedUploadWithinItsLimitReachesTheChainParsedAndItsFilesGoAfterwards() throws Exception {
		byte[] file = new byte[200 * 1024];
		new Random(7).nextBytes(file);
		MockHttpServletRequest request = chunked("/api/v1/datasets", body("file", "a.zip", file));
		request.setQueryString("charset=UTF-8&bad=%zz&name=from%20query");
		List<String> seen = new ArrayList<>();
		FilterChain chain = (req, res) -> {
			HttpServletRequest parsed = (HttpServletRequest) req;
			Part part = parsed.getPart("file");
			assertThat(part.getSubmittedFileName()).isEqualTo("a.zip");
			assertThat(part.getInputStream().readAllBytes()).isEqualTo(file);
			seen.add(parsed.getParameter("kind"));
			seen.add(parsed.getParameter("charset"));
			seen.addAll(List.of(parsed.getParameterValues("name")));
			seen.add(String.valueOf(tmpFiles().size()));
			((HttpServletResponse) res).setStatus(201);
		};
		MockHttpServletResponse response = new MockHttpServletResponse();
		filter.doFilter(request, response, chain);
		assertThat(response.getStatus()).isEqualTo(201);
		assertThat(seen).as("form fields and query parameters, and the file over 64 KB spooled to one file")
			.containsExactly("images", "UTF-8", "from query", "d", "1");
		assertThat(tmpFiles()).isEmpty();
	}

	@Test
	void aChunkedBodyTheInFlightBudgetCannotHoldIsRefusedWithRetryAfterAndLeavesNoFile() throws Exception {
		byte[] body = body("image", "a.png", new byte[300 * 1024]);
		MockHttpServletRequest request = new MockHttpServletRequest("POST", "/api/v1/models/m/classify") {
			@Override
			public long getContentLengthLong() {
				return -1;
			}

			@Override
			public ServletInputStream getInputStream() {
				// as InFlightBytesFilter's reading fails once the budget is spent
				InputStream in = new ByteArrayInputStream(body, 0, 200 * 1024);
				return new DelegatingServletInputStream(new SequenceInputStream(in, new InputStream() {
					@Override
					public int read() {
						throw new UnavailableException("overloaded", "full", 1);
					}
				}));
			}
		};
		request.setContentType("multipart/form-data; boundary=x");
		MockHttpServletResponse response = run(request);
		assertThat(response.getStatus()).isEqualTo(503);
		assertThat(response.getHeader("Retry-After")).isEqualTo("1");
		assertThat(JSON.readTree(response.getContentAsString()).get("code").asText()).isEqualTo("overloaded");
		assertThat(tmpFiles()).isEmpty();
	}

	@Test
	void aMalformedBodyIsABadRequest() throws Exception {
		MockHttpServletRequest request = chunked("/api/v1/models/m/classify", new byte[0]);
		request.setContent("--x\r\nno end".getBytes(StandardCharsets.US_ASCII));
		MockHttpServletResponse response = run(request);
		assertThat(response.getStatus()).isEqualTo(400);
		assertThat(JSON.readTree(response.getContentAsString()).get("code").asText()).isEqualTo("invalid_multipart");
	}

	/** A body with form fields {@code kind=images} and {@code name=d} and one file part. */
	private static byte[] body(String part, String filename, byte[] content) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.writeBytes(("--x\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nimages\r\n"
				+ "--x\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nd\r\n"
				+ "--x\r\nContent-Disposition: form-data; name=\"" + part + "\"; filename=\"" + filename
				+ "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
			.getBytes(StandardCharsets.US_ASCII));
		out.writeBytes(content);
		out.writeBytes("\r\n--x--\r\n".getBytes(StandardCharsets.US_ASCII));
		return out.toByteArray();
	}

	/** A request without a {@code Content-Length}, as a chunked one arrives. */
	private MockHttpServletRequest chunked(String path, byte[] content) {
		MockHttpServletRequest request = multipart(path, -1);
		request.setContent(content);
		return request;
	}

	private List<Path> tmpFiles() throws IOException {
		Path tmp = dataDir.resolve("tmp");
		if (!Files.exists(tmp)) {
			return List.of();
		}
		try (Stream<Path> files = Files.list(tmp)) {
			return files.toList();
		}
	}

	private int status(String path, long length) throws Exception {
		return run(multipart(path, length)).getStatus();
	}

	private MockHttpServletRequest multipart(String path, long length) {
		MockHttpServletRequest request = new MockHttpServletRequest("POST", path) {
			@Override
			public long getContentLengthLong() {
				return length;
			}
		};
		request.setContentType("multipart/form-data; boundary=x");
		request.setContent("--x--\r\n".getBytes(StandardCharsets.US_ASCII));
		return request;
	}

	private MockHttpServletResponse run(MockHttpServletRequest request) throws Exception {
		MockHttpServletResponse response = new MockHttpServletResponse();
		FilterChain chain = (req, res) -> ((MockHttpServletResponse) res).setStatus(200);
		filter.doFilter(request, response, chain);
		return response;
	}

}
