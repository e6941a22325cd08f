package io.deepserve.error;

/** What the request names does not exist. */
public class NotFoundException extends DeepserveException {

	public NotFoundException(String code, String detail) {
		super(code, detail, null);
	}

	public NotFoundException(String code, String detail, Throwable cause) {
		super(code, detail, cause);
	}

}
