package io.deepserve.error;

/** The request is malformed or asks for something that cannot be done with what it names. */
public class InvalidInputException extends DeepserveException {

	public InvalidInputException(String code, String detail) {
		super(code, detail, null);
	}

	public InvalidInputException(String code, String detail, Throwable cause) {
		super(code, detail, cause);
	}

}
