package io.deepserve.error;

/**
 * The service cannot take the request now (overloaded, loading, shutting down, or not this replica's role); the
 * client may retry after {@link #retryAfterSeconds()}.
 */
public class UnavailableException extends DeepserveException {

	private final long retryAfterSeconds;

	public UnavailableException(String code, String detail, long retryAfterSeconds) {
		super(code, detail, null);
		this.retryAfterSeconds = retryAfterSeconds;
	}

	public long retryAfterSeconds() {
		return retryAfterSeconds;
	}

}
