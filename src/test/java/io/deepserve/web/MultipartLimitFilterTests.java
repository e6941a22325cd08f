package io.deepserve.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import org.junit.jupiter.api.Test;

import org.springframework.http.converter.json.Jackson2ObjectMapperBuilder;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.util.unit.DataSize;

import io.deepserve.config.DeepserveProperties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

class MultipartLimitFilterTests {

	// as Spring Boot builds it: with the mixin that writes a problem's properties at the top level
	private static final ObjectMapper JSON = Jackson2ObjectMapperBuilder.json().build();

	private final MultipartLimitFilter filter;

	MultipartLimitFilterTests() {
		DeepserveProperties properties = mock(DeepserveProperties.class);
		DeepserveProperties.Inference inference = mock(DeepserveProperties.Inference.class);
		DeepserveProperties.Datasets datasets = mock(DeepserveProperties.Datasets.class);
		DeepserveProperties.Registry registry = mock(DeepserveProperties.Registry.class);
		when(properties.inference()).thenReturn(inference);
		when(properties.datasets()).thenReturn(datasets);
		when(properties.registry()).thenReturn(registry);
		when(inference.maxImageBytes()).thenReturn(DataSize.ofMegabytes(1));
		when(datasets.maxUploadSize()).thenReturn(DataSize.ofMegabytes(10));
		when(registry.maxArtifactSize()).thenReturn(DataSize.ofMegabytes(100));
		filter = new MultipartLimitFilter(properties, JSON);
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
		return request;
	}

	private MockHttpServletResponse run(MockHttpServletRequest request) throws Exception {
		MockHttpServletResponse response = new MockHttpServletResponse();
		FilterChain chain = (req, res) -> ((MockHttpServletResponse) res).setStatus(200);
		filter.doFilter(request, response, chain);
		return response;
	}

}
