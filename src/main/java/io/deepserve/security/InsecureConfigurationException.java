package io.deepserve.security;

/** A security setting that must stop the start, with what to do about it. */
class InsecureConfigurationException extends RuntimeException {

	private final String action;

	InsecureConfigurationException(String description, String action) {
		super(description);
		this.action = action;
	}

	String action() {
		return action;
	}

}
