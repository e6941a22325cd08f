package io.deepserve.web;

import org.springframework.http.HttpStatus;

/**
 * A failure the client should see as {@code application/problem+json} with a stable {@code code}.
 * Throw it from any layer; {@link ProblemDetailsAdvice} renders it.
 */
public class ApiException extends RuntimeException {

	private final HttpStatus status;

	private final String code;

	public ApiException(HttpStatus status, String code, String detail) {
		super(detail);
		this.status = status;
		this.code = code;
	}

	public ApiException(HttpStatus status, String code, String detail, Throwable cause) {
		super(detail, cause);
		this.status = status;
		this.code = code;
	}

	public static ApiException badRequest(String code, String detail) {
		return new ApiException(HttpStatus.BAD_REQUEST, code, detail);
	}

	public static ApiException notFound(String code, String detail) {
		return new ApiException(HttpStatus.NOT_FOUND, code, detail);
	}

	public static ApiException conflict(String code, String detail) {
		return new ApiException(HttpStatus.CONFLICT, code, detail);
	}

	public static ApiException tooLarge(String detail) {
		return new ApiException(HttpStatus.PAYLOAD_TOO_LARGE, "payload_too_large", detail);
	}

	public HttpStatus status() {
		return status;
	}

	public String code() {
		return code;
	}

}
