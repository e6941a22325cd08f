package io.deepserve.security;

import java.security.Principal;
import java.util.Set;

/** The holder of a valid key, seen by controllers as the request's {@link Principal} (its name, never the key). */
record Caller(String name, Set<Role> roles) implements Principal {

	@Override
	public String getName() {
		return name;
	}

	boolean mayInfer() {
		return roles.contains(Role.INFER) || roles.contains(Role.ADMIN);
	}

	boolean mayRead() {
		return roles.contains(Role.READ) || roles.contains(Role.ADMIN);
	}

	boolean isAdmin() {
		return roles.contains(Role.ADMIN);
	}

}
