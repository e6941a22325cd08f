package io.deepserve.security;

import java.util.Locale;

/** What a key may do: {@code admin} writes (registry, datasets, training) and may infer; {@code infer} infers. */
enum Role {

	ADMIN, INFER;

	static Role parse(String name) {
		return valueOf(name.trim().toUpperCase(Locale.ROOT));
	}

}
