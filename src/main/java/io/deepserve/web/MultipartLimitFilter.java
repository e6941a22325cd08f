package io.deepserve.web;

import java.io.IOException;
import java.io.UnsupportedEncodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.apache.tomcat.util.http.fileupload.FileItem;
import org.apache.tomcat.util.http.fileupload.FileUpload;
import org.apache.tomcat.util.http.fileupload.FileUploadException;
import org.apache.tomcat.util.http.fileupload.disk.DiskFileItemFactory;
import org.apache.tomcat.util.http.fileupload.impl.SizeLimitExceededException;
import org.apache.tomcat.util.http.fileupload.servlet.ServletRequestContext;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.util.unit.DataSize;
import org.springframework.web.filter.OncePerRequestFilter;

import io.deepserve.config.DeepserveProperties;
import io.deepserve.error.UnavailableException;

/**
 * Each multipart endpoint's own limit, whatever the framing: Tomcat would write parts to its temporary folder up to
 * the global multipart limit before any controller could look at them. A body over the endpoint's limit is
 * {@code 413} by its {@code Content-Length} before anything is read; otherwise the parts are parsed here, counting
 * the bytes as they arrive, so that a chunked body (RestTemplate and WebClient send multipart so) is refused at the
 * same limit. Parts over the in-memory threshold go to {@code <data-dir>/tmp}, deleted after the request.
 */
class MultipartLimitFilter extends OncePerRequestFilter {

	/** Room for the boundaries, part headers and small form fields around the file. */
	static final long ENVELOPE = 64 * 1024;

	/** More parts than any of these endpoints takes, few enough that part bookkeeping stays small. */
	private static final int MAX_PARTS = 16;

	private static final Pattern CLASSIFY = Pattern.compile("/api/v1/models/[^/]+/classify");

	private static final Pattern IMPORT = Pattern.compile("/api/v1/models/[^/]+/versions");

	private final DeepserveProperties properties;

	private final ObjectMapper json;

	private final int inMemory;

	private final Path tmp;

	MultipartLimitFilter(DeepserveProperties properties, ObjectMapper json, DataSize inMemory) {
		this.properties = properties;
		this.json = json;
		this.inMemory = Math.toIntExact(inMemory.toBytes());
		this.tmp = properties.dataDir().resolve("tmp").toAbsolutePath();
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
		FileUpload upload = new FileUpload();
		upload.setFileItemFactory(new DiskFileItemFactory(inMemory, Files.createDirectories(tmp).toFile()));
		upload.setSizeMax(limit);
		upload.setFileCountMax(MAX_PARTS);
		List<FileItem> items;
		try {
			items = upload.parseRequest(new ServletRequestContext(request));
		}
		catch (SizeLimitExceededException ex) {
			refuse(response, HttpStatus.PAYLOAD_TOO_LARGE, "payload_too_large", "the upload is over " + limit
					+ " bytes, the most this endpoint takes (its file limit plus " + ENVELOPE
					+ " for the multipart envelope)");
			return;
		}
		catch (FileUploadException ex) {
			refuse(response, HttpStatus.BAD_REQUEST, "invalid_multipart", "the multipart body could not be read");
			return;
		}
		catch (UnavailableException ex) {
			// the in-flight byte budget, which counts a chunked inference body as it is read here
			response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(ex.retryAfterSeconds()));
			refuse(response, HttpStatus.SERVICE_UNAVAILABLE, ex.code(), ex.getMessage());
			return;
		}
		ParsedMultipartRequest parsed;
		try {
			parsed = new ParsedMultipartRequest(request, items, tmp.toFile());
		}
		catch (UnsupportedEncodingException ex) {
			items.forEach(FileItem::delete);
			refuse(response, HttpStatus.BAD_REQUEST, "invalid_multipart", "the request's charset is not supported");
			return;
		}
		try {
			chain.doFilter(parsed, response);
		}
		finally {
			parsed.delete();
		}
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
