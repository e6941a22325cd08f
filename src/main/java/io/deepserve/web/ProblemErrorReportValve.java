package io.deepserve.web;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;

import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;

/**
 * Tomcat's own refusals (an encoded {@code /} or NUL in the path, a header over the limit) never reach Spring: its
 * error report valve answers them, in HTML. This one answers them as problem+json. Public, with a no-argument
 * constructor, because Tomcat creates it by class name.
 */
public class ProblemErrorReportValve extends ErrorReportValve {

	private static final ObjectMapper JSON = new ObjectMapper();

	@Override
	protected void report(Request request, Response response, Throwable throwable) {
		int status = response.getStatus();
		if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
			return;
		}
		HttpStatusCode code = HttpStatusCode.valueOf(status);
		String detail = code.is5xxServerError() ? "an unexpected error occurred; the server log has the details"
				: "the server refused the request before reading it: "
						+ (HttpStatus.resolve(status) != null ? HttpStatus.resolve(status).getReasonPhrase() : status);
		try {
			byte[] body = JSON.writeValueAsBytes(
					Problems.asMap(Problems.of(code, code.is5xxServerError() ? "internal_error" : Problems.codeOf(code),
							detail)));
			response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
			response.setCharacterEncoding(StandardCharsets.UTF_8.name());
			response.setContentLength(body.length);
			OutputStream out = response.getOutputStream();
			out.write(body);
			out.flush();
		}
		catch (IOException | IllegalStateException ex) {
			// the client is gone or the response cannot take a body: the status alone has to do
		}
	}

}
