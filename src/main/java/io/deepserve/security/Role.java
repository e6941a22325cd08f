package io.deepserve.security;

import java.util.Locale;

/**
 * What a key may do: {@code admin} writes (registry, datasets, training) and may do all the rest; {@code infer}
 * infers; {@code read} reads the registry (artifacts included), datasets, jobs and metrics. Reading is its own role
 * because an artifact is the model itself: a key handed to a client to classify should not be able to copy it.
 */
enum Role {

	ADMIN, INFER, READ;

	static Role parse(String name) {
		return valueOf(name.trim().toUpperCase(Locale.ROOT));
	}

}
