package io.deepserve.security;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a request needs, from its method and normalised path. Anything not recognised as open or as a read is
 * treated as a write, so a new endpoint is protected until someone decides otherwise.
 */
enum Access {

	/** Probes, the dashboard page and its assets, the API documents. */
	OPEN,
	/** Reads of the API (artifacts included) and the metrics: a read or admin key once keys are configured. */
	READ,
	/** Inference, and the Open Inference Protocol's metadata its clients read first. */
	INFER,
	/** Everything that changes state. */
	ADMIN;

	private static final Set<String> READ_METHODS = Set.of("GET", "HEAD", "OPTIONS");

	private static final Pattern INFERENCE = Pattern.compile("/api/v1/models/[^/]+/(classify|forecast|backtest)");

	static Access of(String method, String path) {
		boolean read = READ_METHODS.contains(method);
		if (path.equals("/actuator/health") || path.startsWith("/actuator/health/")
				|| path.equals("/v2/health/live") || path.equals("/v2/health/ready")) {
			return OPEN;
		}
		if (path.equals("/api") || path.startsWith("/api/")) {
			if (method.equals("POST") && INFERENCE.matcher(path).matches()) {
				return INFER;
			}
			return read ? READ : ADMIN;
		}
		if (path.equals("/v2") || path.startsWith("/v2/")) {
			return read || (method.equals("POST") && path.endsWith("/infer")) ? INFER : ADMIN;
		}
		if (path.equals("/actuator") || path.startsWith("/actuator/")) {
			return read ? READ : ADMIN;
		}
		return read ? OPEN : ADMIN;
	}

}
