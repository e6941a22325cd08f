package io.deepserve.web;

import org.springframework.http.HttpStatus;

/** An {@link ApiException} the client may retry later; rendered with a {@code Retry-After} header. */
public class RetryableApiException extends ApiException {

	private final long retryAfterSeconds;

	public RetryableApiException(HttpStatus status, String code, String detail, long retryAfterSeconds) {
		super(status, code, detail);
		this.retryAfterSeconds = retryAfterSeconds;
	}

	public long retryAfterSeconds() {
		return retryAfterSeconds;
	}

}
