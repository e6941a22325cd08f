package io.deepserve.error;

/** The request carries more than a configured limit allows. */
public class PayloadTooLargeException extends DeepserveException {

	public PayloadTooLargeException(String detail) {
		this("payload_too_large", detail);
	}

	public PayloadTooLargeException(String code, String detail) {
		super(code, detail, null);
	}

}
