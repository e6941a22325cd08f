package io.deepserve.web;

import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.validation.FieldError;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.servlet.resource.NoResourceFoundException;

import io.deepserve.error.ConflictException;
import io.deepserve.error.DeepserveException;
import io.deepserve.error.InvalidInputException;
import io.deepserve.error.NotFoundException;
import io.deepserve.error.PayloadTooLargeException;
import io.deepserve.error.UnavailableException;

/**
 * The one place errors become RFC 9457 {@code application/problem+json}, each with a stable {@code code}.
 * Spring MVC's own errors (405, 406, missing parameters, ...) go through the base class and get a code too.
 */
@RestControllerAdvice
class ProblemDetailsAdvice extends ResponseEntityExceptionHandler {

	private static final Logger log = LoggerFactory.getLogger(ProblemDetailsAdvice.class);

	/** Codes for Spring's exceptions where the status alone would say too little. */
	private static final Map<Class<?>, String> CODES = Map.of(MaxUploadSizeExceededException.class,
			"payload_too_large", HttpMessageNotReadableException.class, "invalid_json",
			HttpMediaTypeNotSupportedException.class, "unsupported_media_type", NoResourceFoundException.class,
			"not_found");

	@ExceptionHandler(DeepserveException.class)
	ResponseEntity<Object> domain(DeepserveException ex) {
		HttpStatus status = statusOf(ex);
		ResponseEntity.BodyBuilder builder = ResponseEntity.status(status);
		if (ex instanceof UnavailableException retry && retry.retryAfterSeconds() > 0) {
			builder.header(HttpHeaders.RETRY_AFTER, Long.toString(retry.retryAfterSeconds()));
		}
		return builder.contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem(status, ex.code(), ex.getMessage()));
	}

	/** The one mapping from the core's failures to HTTP. */
	static HttpStatus statusOf(DeepserveException ex) {
		if (ex instanceof InvalidInputException) {
			return HttpStatus.BAD_REQUEST;
		}
		if (ex instanceof NotFoundException) {
			return HttpStatus.NOT_FOUND;
		}
		if (ex instanceof ConflictException) {
			return HttpStatus.CONFLICT;
		}
		if (ex instanceof PayloadTooLargeException) {
			return HttpStatus.PAYLOAD_TOO_LARGE;
		}
		if (ex instanceof UnavailableException) {
			return HttpStatus.SERVICE_UNAVAILABLE;
		}
		return HttpStatus.INTERNAL_SERVER_ERROR;
	}

	@ExceptionHandler(MethodArgumentTypeMismatchException.class)
	ResponseEntity<Object> typeMismatch(MethodArgumentTypeMismatchException ex) {
		return respond(HttpStatus.BAD_REQUEST, "invalid_request",
				"parameter '" + ex.getName() + "' has an invalid value: " + ex.getValue());
	}

	@ExceptionHandler(MultipartException.class)
	ResponseEntity<Object> multipart(MultipartException ex) {
		return respond(HttpStatus.BAD_REQUEST, "invalid_multipart", "the multipart body could not be read");
	}

	@ExceptionHandler(Exception.class)
	ResponseEntity<Object> unexpected(Exception ex) {
		log.error("unexpected error", ex);
		return respond(HttpStatus.INTERNAL_SERVER_ERROR, "internal_error",
				"an unexpected error occurred; the server log has the details");
	}

	@Override
	protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		Map<String, String> fields = ex.getBindingResult()
			.getFieldErrors()
			.stream()
			.collect(Collectors.toMap(FieldError::getField, e -> String.valueOf(e.getDefaultMessage()),
					(a, b) -> a));
		String detail = fields.entrySet()
			.stream()
			.map(e -> e.getKey() + ": " + e.getValue())
			.sorted()
			.collect(Collectors.joining("; "));
		ProblemDetail body = problem(HttpStatus.BAD_REQUEST, "invalid_request", detail);
		body.setProperty("fields", fields);
		return ResponseEntity.badRequest().contentType(MediaType.APPLICATION_PROBLEM_JSON).body(body);
	}

	@Override
	protected ResponseEntity<Object> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers,
			HttpStatusCode statusCode, WebRequest request) {
		if (ex instanceof HttpMessageNotReadableException unreadable
				&& unreadable.getCause() instanceof JsonProcessingException json) {
			return domain(RequestJson.refusal(json, "invalid_json", "the request body"));
		}
		ProblemDetail problem = body instanceof ProblemDetail pd ? pd
				: ProblemDetail.forStatusAndDetail(statusCode, ex.getMessage());
		String code = CODES.getOrDefault(ex.getClass(), codeOf(statusCode));
		decorate(problem, statusCode, code);
		if (ex instanceof HttpMessageNotReadableException) {
			problem.setDetail("the request body is missing or is not valid JSON for this endpoint");
		}
		return ResponseEntity.status(statusCode)
			.headers(headers)
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.body(problem);
	}

	private static ResponseEntity<Object> respond(HttpStatusCode status, String code, String detail) {
		return ResponseEntity.status(status)
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.body(problem(status, code, detail));
	}

	static ProblemDetail problem(HttpStatusCode status, String code, String detail) {
		return Problems.of(status, code, detail);
	}

	private static void decorate(ProblemDetail pd, HttpStatusCode status, String code) {
		Problems.decorate(pd, status, code);
	}

	private static String codeOf(HttpStatusCode status) {
		return Problems.codeOf(status);
	}

}
