package io.deepserve.web;

import java.io.File;
import java.io.IOException;
import java.io.UnsupportedEncodingException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.Part;

import org.apache.catalina.core.ApplicationPart;
import org.apache.tomcat.util.http.fileupload.FileItem;

/**
 * A multipart request whose parts were parsed by {@link MultipartLimitFilter}: Spring's multipart resolver asks the
 * request it is given for its parts and form fields, so Tomcat never parses the body again under its global limits.
 */
final class ParsedMultipartRequest extends HttpServletRequestWrapper {

	private final List<Part> parts = new ArrayList<>();

	private final Map<String, String[]> parameters = new LinkedHashMap<>();

	ParsedMultipartRequest(HttpServletRequest request, List<FileItem> items, File location)
			throws UnsupportedEncodingException {
		super(request);
		Map<String, List<String>> values = new LinkedHashMap<>();
		// the query string is decoded here: asking Tomcat for a parameter would make it parse the body itself
		String query = request.getQueryString();
		if (query != null) {
			for (String pair : query.split("&")) {
				int eq = pair.indexOf('=');
				try {
					String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
					String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
					if (!name.isEmpty()) {
						values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
					}
				}
				catch (IllegalArgumentException ex) {
					// skipped, as Tomcat skips a parameter it cannot decode
				}
			}
		}
		String charset = request.getCharacterEncoding() != null ? request.getCharacterEncoding()
				: StandardCharsets.UTF_8.name();
		for (FileItem item : items) {
			parts.add(new ApplicationPart(item, location));
			if (item.isFormField()) {
				values.computeIfAbsent(item.getFieldName(), k -> new ArrayList<>()).add(item.getString(charset));
			}
		}
		values.forEach((name, list) -> parameters.put(name, list.toArray(String[]::new)));
	}

	@Override
	public Collection<Part> getParts() {
		return Collections.unmodifiableList(parts);
	}

	@Override
	public Part getPart(String name) {
		return parts.stream().filter(part -> part.getName().equals(name)).findFirst().orElse(null);
	}

	@Override
	public String getParameter(String name) {
		String[] values = parameters.get(name);
		return values == null ? null : values[0];
	}

	@Override
	public String[] getParameterValues(String name) {
		String[] values = parameters.get(name);
		return values == null ? null : values.clone();
	}

	@Override
	public Map<String, String[]> getParameterMap() {
		return Collections.unmodifiableMap(parameters);
	}

	@Override
	public Enumeration<String> getParameterNames() {
		return Collections.enumeration(parameters.keySet());
	}

	/** Removes the parts' temporary files. */
	void delete() throws IOException {
		for (Part part : parts) {
			part.delete();
		}
	}

}
