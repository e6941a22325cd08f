package io.deepserve;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A multipart upload sent chunked, without a {@code Content-Length}: a body published from a stream has no length
 * to declare.
 */
public final class ChunkedMultipart {

	private static final String BOUNDARY = "chunked-boundary-7578";

	private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	private ChunkedMultipart() {
	}

	public static HttpResponse<String> post(String uri, Map<String, String> fields, String fileField, String filename,
			byte[] file) {
		return post(uri, fields, fileField, filename, new ByteArrayInputStream(file));
	}

	/** Sends the file as it is read from {@code file}, however long that is. */
	public static HttpResponse<String> post(String uri, Map<String, String> fields, String fileField, String filename,
			InputStream file) {
		ByteArrayOutputStream head = new ByteArrayOutputStream();
		fields.forEach((name, value) -> head.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\""
				+ name + "\"\r\n\r\n" + value + "\r\n")
			.getBytes(StandardCharsets.UTF_8)));
		head.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + fileField + "\"; filename=\""
				+ filename + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
			.getBytes(StandardCharsets.UTF_8));
		InputStream tail = new ByteArrayInputStream(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
		InputStream body = new SequenceInputStream(
				Collections.enumeration(List.of(new ByteArrayInputStream(head.toByteArray()), file, tail)));
		HttpRequest request = HttpRequest.newBuilder(URI.create(uri))
			.header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
			.POST(HttpRequest.BodyPublishers.ofInputStream(() -> body))
			.build();
		try {
			return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/** The files multipart parsing left in {@code <data-dir>/tmp}. */
	public static List<Path> leftOver(Path dataDir) {
		Path tmp = dataDir.resolve("tmp");
		if (!Files.isDirectory(tmp)) {
			return List.of();
		}
		try (Stream<Path> files = Files.list(tmp)) {
			return files.toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
