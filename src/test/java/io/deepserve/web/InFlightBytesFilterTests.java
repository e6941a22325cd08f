package io.deepserve.web;

import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import org.junit.jupiter.api.Test;

import org.springframework.http.converter.json.Jackson2ObjectMapperBuilder;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.util.unit.DataSize;

import io.deepserve.config.DeepserveProperties;
import io.deepserve.error.UnavailableException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

class InFlightBytesFilterTests {

	// as Spring Boot builds it: with the mixin that writes a problem's properties at the top level
	private static final ObjectMapper JSON = Jackson2ObjectMapperBuilder.json().build();

	@Test
	void bodiesThatDeclareTheirLengthReserveItAllAndTheOneThatDoesNotFitIs503() throws Exception {
		InFlightBytesFilter filter = filter(DataSize.ofBytes(100));
		AtomicReference<MockHttpServletResponse> second = new AtomicReference<>();
		AtomicReference<MockHttpServletResponse> third = new AtomicReference<>();
		boolean[] thirdRan = { false };

		// while the first request holds 60 bytes, a second of 60 does not fit and a third of 30 does
		MockHttpServletResponse first = run(filter, post("/v2/models/m/infer", 60), (req, res) -> {
			second.set(run(filter, post("/api/v1/models/m/classify", 60), (r, s) -> {
				throw new AssertionError("must not run");
			}));
			third.set(run(filter, post("/api/v1/models/m:2/forecast", 30), (r, s) -> thirdRan[0] = true));
		});

		assertThat(first.getStatus()).isEqualTo(200);
		assertThat(second.get().getStatus()).isEqualTo(503);
		assertThat(second.get().getHeader("Retry-After")).isEqualTo("1");
		assertThat(JSON.readTree(second.get().getContentAsString()).get("code").asText()).isEqualTo("overloaded");
		assertThat(thirdRan[0]).isTrue();
		assertThat(filter.used()).as("everything is given back").isZero();
	}

	@Test
	void aBodyLargerThanTheWholeBudgetIs413() throws Exception {
		InFlightBytesFilter filter = filter(DataSize.ofBytes(100));
		MockHttpServletResponse response = run(filter, post("/v2/models/m/versions/3/infer", 101), (r, s) -> {
			throw new AssertionError("must not run");
		});
		assertThat(response.getStatus()).isEqualTo(413);
		assertThat(JSON.readTree(response.getContentAsString()).get("error").asText()).contains("max-in-flight-bytes");
	}

	@Test
	void aChunkedBodyReservesAsItIsReadAndFailsTheReadPastTheBudget() throws Exception {
		InFlightBytesFilter filter = filter(DataSize.ofKilobytes(100));
		byte[] small = new byte[50_000];
		byte[] large = new byte[200_000];
		new Random(1).nextBytes(large);

		run(filter, chunked("/v2/models/m/infer", small), (req, res) -> {
			assertThat(req.getInputStream().readAllBytes()).isEqualTo(small);
		});
		assertThatThrownBy(() -> run(filter, chunked("/v2/models/m/infer", large),
				(req, res) -> req.getInputStream().readAllBytes()))
			.isInstanceOf(UnavailableException.class)
			.satisfies(ex -> assertThat(((UnavailableException) ex).code()).isEqualTo("overloaded"));
		assertThat(filter.used()).isZero();
	}

	@Test
	void otherRequestsAreNotCounted() throws Exception {
		InFlightBytesFilter filter = filter(DataSize.ofBytes(10));
		boolean[] ran = { false };
		run(filter, post("/api/v1/datasets", 1000), (r, s) -> ran[0] = true);
		assertThat(ran[0]).isTrue();
	}

	private static InFlightBytesFilter filter(DataSize budget) {
		DeepserveProperties properties = mock(DeepserveProperties.class);
		DeepserveProperties.Inference inference = mock(DeepserveProperties.Inference.class);
		when(properties.inference()).thenReturn(inference);
		when(inference.maxInFlightBytes()).thenReturn(budget);
		return new InFlightBytesFilter(properties, JSON);
	}

	private static MockHttpServletRequest post(String path, int length) {
		MockHttpServletRequest request = new MockHttpServletRequest("POST", path);
		request.setContent(new byte[length]);
		return request;
	}

	/** No Content-Length: the body streams from a source that says nothing of its size. */
	private static MockHttpServletRequest chunked(String path, byte[] body) {
		return new MockHttpServletRequest("POST", path) {
			private final InputStream in = new java.io.ByteArrayInputStream(body);

			@Override
			public jakarta.servlet.ServletInputStream getInputStream() {
				return new org.springframework.mock.web.DelegatingServletInputStream(in);
			}

			@Override
			public long getContentLengthLong() {
				return -1;
			}

			@Override
			public int getContentLength() {
				return -1;
			}
		};
	}

	private static MockHttpServletResponse run(InFlightBytesFilter filter, MockHttpServletRequest request,
			FilterChain chain) {
		MockHttpServletResponse response = new MockHttpServletResponse();
		try {
			filter.doFilter(request, response, chain);
		}
		catch (IOException | jakarta.servlet.ServletException ex) {
			throw new AssertionError(ex);
		}
		return response;
	}

}
