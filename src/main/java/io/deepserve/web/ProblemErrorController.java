package io.deepserve.web;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.web.servlet.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Errors the servlet container forwards to {@code /error} (a filter's exception, a status sent without a body),
 * answered as problem+json like every other error. Asked for directly, {@code /error} is just a path that does not
 * exist.
 */
@RestController
class ProblemErrorController implements ErrorController {

	private static final Logger log = LoggerFactory.getLogger(ProblemErrorController.class);

	@RequestMapping("${server.error.path:${error.path:/error}}")
	ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
		Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
		HttpStatus status = code instanceof Integer c && HttpStatus.resolve(c) != null && c >= 400
				? HttpStatus.valueOf(c) : HttpStatus.NOT_FOUND;
		Object failure = request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
		String detail;
		if (status.is5xxServerError()) {
			if (failure instanceof Throwable t) {
				log.error("unexpected error", t);
			}
			detail = "an unexpected error occurred; the server log has the details";
		}
		else {
			detail = code == null ? "no such resource" : status.getReasonPhrase();
		}
		String problemCode = status.is5xxServerError() ? "internal_error" : Problems.codeOf(status);
		return ResponseEntity.status(status)
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.body(Problems.of(status, problemCode, detail));
	}

}
