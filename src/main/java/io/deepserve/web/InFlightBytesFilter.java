package io.deepserve.web;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.web.filter.OncePerRequestFilter;

import io.deepserve.config.DeepserveProperties;
import io.deepserve.error.UnavailableException;

/**
 * One budget of request-body bytes for every inference request at once, so that many large bodies together are
 * answered {@code 503 overloaded} with {@code Retry-After} instead of filling the heap. A body that declares its
 * length reserves all of it before it is read; a chunked one reserves block by block as it is read, and a block that
 * does not fit fails the read. A body larger than the whole budget could never fit: {@code 413}.
 */
class InFlightBytesFilter extends OncePerRequestFilter {

	private static final Pattern INFERENCE = Pattern
		.compile("/v2/models/[^/]+(/versions/[^/]+)?/infer|/api/v1/models/[^/]+/(classify|forecast|backtest)");

	/** What a chunked body reserves at a time. */
	private static final int BLOCK = 64 * 1024;

	private final long budget;

	private final AtomicLong used = new AtomicLong();

	private final ObjectMapper json;

	InFlightBytesFilter(DeepserveProperties properties, ObjectMapper json) {
		long configured = properties.inference().maxInFlightBytes().toBytes();
		this.budget = configured > 0 ? configured : Runtime.getRuntime().maxMemory() / 4;
		this.json = json;
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		return !"POST".equals(request.getMethod()) || !INFERENCE.matcher(request.getRequestURI()).matches();
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		long declared = request.getContentLengthLong();
		if (declared > budget) {
			refuse(request, response, HttpStatus.PAYLOAD_TOO_LARGE, "payload_too_large", "the body declares " + declared
					+ " bytes; all inference requests together may hold " + budget
					+ " (deepserve.inference.max-in-flight-bytes)");
			return;
		}
		if (declared >= 0) {
			if (!reserve(declared)) {
				response.setHeader(HttpHeaders.RETRY_AFTER, "1");
				refuse(request, response, HttpStatus.SERVICE_UNAVAILABLE, "overloaded", overloaded());
				return;
			}
			try {
				chain.doFilter(request, response);
			}
			finally {
				used.addAndGet(-declared);
			}
			return;
		}
		Reserving body = new Reserving(request);
		try {
			chain.doFilter(body, response);
		}
		finally {
			used.addAndGet(-body.reserved);
		}
	}

	/** Bytes reserved now. */
	long used() {
		return used.get();
	}

	private boolean reserve(long bytes) {
		long now;
		do {
			now = used.get();
			if (now + bytes > budget) {
				return false;
			}
		}
		while (!used.compareAndSet(now, now + bytes));
		return true;
	}

	private String overloaded() {
		return "the server holds " + budget + " bytes of inference request bodies already "
				+ "(deepserve.inference.max-in-flight-bytes); retry shortly";
	}

	private void refuse(HttpServletRequest request, HttpServletResponse response, HttpStatus status, String code,
			String detail) throws IOException {
		ProblemDetail problem = Problems.of(status, code, detail);
		if (request.getRequestURI().startsWith("/v2/")) {
			// the Open Inference Protocol's own error field, as on every other /v2 problem
			problem.setProperty("error", detail);
		}
		response.setStatus(status.value());
		response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
		json.writeValue(response.getOutputStream(), problem);
	}

	/** A chunked body that reserves its bytes a block ahead of reading them. */
	private final class Reserving extends HttpServletRequestWrapper {

		private long reserved;

		private long read;

		private ServletInputStream stream;

		Reserving(HttpServletRequest request) {
			super(request);
		}

		@Override
		public ServletInputStream getInputStream() throws IOException {
			if (stream == null) {
				ServletInputStream in = super.getInputStream();
				stream = new ServletInputStream() {
					@Override
					public int read() throws IOException {
						ensure(1);
						int b = in.read();
						if (b >= 0) {
							read++;
						}
						return b;
					}

					@Override
					public int read(byte[] buffer, int offset, int length) throws IOException {
						int n = in.read(buffer, offset, (int) Math.min(length, ensure(length)));
						if (n > 0) {
							read += n;
						}
						return n;
					}

					@Override
					public boolean isFinished() {
						return in.isFinished();
					}

					@Override
					public boolean isReady() {
						return in.isReady();
					}

					@Override
					public void setReadListener(ReadListener listener) {
						in.setReadListener(listener);
					}
				};
			}
			return stream;
		}

		/** Makes sure at least one more byte, and up to {@code wanted}, is reserved; returns how many are. */
		private long ensure(int wanted) {
			if (reserved - read < 1) {
				if (!reserve(BLOCK)) {
					throw new UnavailableException("overloaded", overloaded(), 1);
				}
				reserved += BLOCK;
			}
			return Math.max(1, Math.min(wanted, reserved - read));
		}

	}

}
