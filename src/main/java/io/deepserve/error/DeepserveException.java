package io.deepserve.error;

/**
 * A failure the client should see, with a stable {@code code}. The core throws its subclasses, which say what went
 * wrong in domain terms; only the web layer knows which HTTP status each one becomes.
 */
public abstract class DeepserveException extends RuntimeException {

	private final String code;

	protected DeepserveException(String code, String detail, Throwable cause) {
		super(detail, cause);
		this.code = code;
	}

	public String code() {
		return code;
	}

}
