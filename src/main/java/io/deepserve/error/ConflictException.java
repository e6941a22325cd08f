package io.deepserve.error;

/** The request clashes with the state of what it names (a version not ready, a name taken, bytes changed). */
public class ConflictException extends DeepserveException {

	public ConflictException(String code, String detail) {
		super(code, detail, null);
	}

	public ConflictException(String code, String detail, Throwable cause) {
		super(code, detail, cause);
	}

}
