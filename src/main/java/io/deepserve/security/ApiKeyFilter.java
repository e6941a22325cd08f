package io.deepserve.security;

import java.io.IOException;
import java.security.Principal;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

import io.deepserve.web.Problems;

/**
 * Checks {@code Authorization: Bearer <key>} against the configured keys before Spring MVC sees the request.
 * A plain filter rather than Spring Security: two roles and one header need no more.
 */
class ApiKeyFilter extends OncePerRequestFilter {

	private static final String BEARER = "bearer ";

	private final ApiKeys keys;

	private final boolean inferenceRequiresKey;

	private final KeyRateLimiter limiter;

	private final ObjectMapper json;

	ApiKeyFilter(ApiKeys keys, boolean inferenceRequiresKey, KeyRateLimiter limiter, ObjectMapper json) {
		this.keys = keys;
		this.inferenceRequiresKey = inferenceRequiresKey;
		this.limiter = limiter;
		this.json = json;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		Access access = Access.of(request.getMethod(), pathOf(request));
		String header = request.getHeader(HttpHeaders.AUTHORIZATION);
		if (access == Access.OPEN && header == null) {
			chain.doFilter(request, response);
			return;
		}
		Optional<Caller> caller = Optional.empty();
		if (header != null) {
			if (!header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
				unauthorized(response, "the Authorization header must be 'Bearer <key>'");
				return;
			}
			caller = keys.authenticate(header.substring(BEARER.length()).trim());
			if (caller.isEmpty()) {
				unauthorized(response, "the API key is not valid");
				return;
			}
		}
		boolean keyed = switch (access) {
			case READ, ADMIN -> !keys.isEmpty();
			case INFER -> inferenceRequiresKey;
			case OPEN -> false;
		};
		if (keyed && caller.isEmpty()) {
			unauthorized(response, "this endpoint needs 'Authorization: Bearer <key>'");
			return;
		}
		if (keyed && !allowed(access, caller.get())) {
			problem(response, HttpStatus.FORBIDDEN, "forbidden", "the key '" + caller.get().name()
					+ "' lacks the role this needs (" + roleNeeded(access) + ")");
			return;
		}
		// probes are never limited: a key sent to them was checked above and that is all
		if (caller.isPresent() && access != Access.OPEN && limiter.enabled()) {
			long retryAfter = limiter.acquire(caller.get().name());
			if (retryAfter > 0) {
				response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter));
				problem(response, HttpStatus.TOO_MANY_REQUESTS, "rate_limited",
						"the key '" + caller.get().name() + "' is over its request rate; retry later");
				return;
			}
		}
		chain.doFilter(caller.<HttpServletRequest>map(c -> new WithPrincipal(request, c)).orElse(request), response);
	}

	private static boolean allowed(Access access, Caller caller) {
		return switch (access) {
			case ADMIN -> caller.isAdmin();
			case INFER -> caller.mayInfer();
			case READ -> caller.mayRead();
			case OPEN -> true;
		};
	}

	private static String roleNeeded(Access access) {
		return switch (access) {
			case ADMIN -> "admin";
			case INFER -> "infer or admin";
			case READ -> "read or admin";
			case OPEN -> "none";
		};
	}

	/** The servlet container's decoded path with dot segments and path parameters resolved, as MVC matches it. */
	private static String pathOf(HttpServletRequest request) {
		String path = request.getServletPath() + (request.getPathInfo() != null ? request.getPathInfo() : "");
		return path.isEmpty() ? "/" : path;
	}

	private void unauthorized(HttpServletResponse response, String detail) throws IOException {
		response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"deepserve\"");
		problem(response, HttpStatus.UNAUTHORIZED, "unauthorized", detail);
	}

	private void problem(HttpServletResponse response, HttpStatus status, String code, String detail)
			throws IOException {
		response.setStatus(status.value());
		response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
		json.writeValue(response.getOutputStream(), Problems.of(status, code, detail));
	}

	private static final class WithPrincipal extends HttpServletRequestWrapper {

		private final Principal principal;

		WithPrincipal(HttpServletRequest request, Principal principal) {
			super(request);
			this.principal = principal;
		}

		@Override
		public Principal getUserPrincipal() {
			return principal;
		}

	}

}
