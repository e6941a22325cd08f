package io.deepserve.web;

import java.io.IOException;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

import io.deepserve.config.DeepserveProperties;

/**
 * Each multipart endpoint's own limit, applied before Tomcat parses the body: Tomcat writes parts to its temporary
 * folder up to the global multipart limit before any controller could look at them. A body over the endpoint's
 * limit is {@code 413} by its {@code Content-Length}. A chunked one (RestTemplate and WebClient send multipart so)
 * is held only to the global limit: Tomcat reads parts from its own stream, past anything a filter could count.
 */
class MultipartLimitFilter extends OncePerRequestFilter {

	/** Room for the boundaries, part headers and small form fields around the file. */
	static final long ENVELOPE = 64 * 1024;

	private static final Pattern CLASSIFY = Pattern.compile("/api/v1/models/[^/]+/classify");

	private static final Pattern IMPORT = Pattern.compile("/api/v1/models/[^/]+/versions");

	private final DeepserveProperties properties;

	private final ObjectMapper json;

	MultipartLimitFilter(DeepserveProperties properties, ObjectMapper json) {
		this.properties = properties;
		this.json = json;
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		String type = request.getContentType();
		return !"POST".equals(request.getMethod()) || type == null
				|| !type.toLowerCase().startsWith(MediaType.MULTIPART_FORM_DATA_VALUE) || limit(request) < 0;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		long limit = limit(request);
		long declared = request.getContentLengthLong();
		if (declared > limit) {
			refuse(response, HttpStatus.PAYLOAD_TOO_LARGE, "payload_too_large", "the upload declares " + declared
					+ " bytes; this endpoint takes at most " + limit + " (its file limit plus " + ENVELOPE
					+ " for the multipart envelope)");
			return;
		}
		chain.doFilter(request, response);
	}

	/** The endpoint's limit in bytes, envelope included; -1 for an endpoint without one of its own. */
	private long limit(HttpServletRequest request) {
		String path = request.getRequestURI();
		long file;
		if (CLASSIFY.matcher(path).matches()) {
			file = properties.inference().maxImageBytes().toBytes();
		}
		else if ("/api/v1/datasets".equals(path)) {
			file = properties.datasets().maxUploadSize().toBytes();
		}
		else if (IMPORT.matcher(path).matches()) {
			file = properties.registry().maxArtifactSize().toBytes();
		}
		else {
			return -1;
		}
		return file + ENVELOPE;
	}

	private void refuse(HttpServletResponse response, HttpStatus status, String code, String detail)
			throws IOException {
		response.setStatus(status.value());
		response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
		json.writeValue(response.getOutputStream(), Problems.of(status, code, detail));
	}

}
