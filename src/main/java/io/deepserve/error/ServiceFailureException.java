package io.deepserve.error;

/** The service failed to do what a valid request asked, for reasons of its own (a model that cannot load or run). */
public class ServiceFailureException extends DeepserveException {

	public ServiceFailureException(String code, String detail) {
		super(code, detail, null);
	}

	public ServiceFailureException(String code, String detail, Throwable cause) {
		super(code, detail, cause);
	}

}
