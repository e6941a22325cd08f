package io.deepserve.web;

import java.util.regex.Pattern;

import io.deepserve.error.InvalidInputException;

/** The one rule for model and dataset names (API.md): lower case, digits, '.', '_', '-', 1 to 64 long. */
public final class Names {

	private static final Pattern NAME = Pattern.compile("^[a-z0-9][a-z0-9._-]{0,63}$");

	private Names() {
	}

	public static boolean isValid(String name) {
		return name != null && NAME.matcher(name).matches();
	}

	/** @return {@code name}, or throws {@code 400 invalid_name} */
	public static String require(String what, String name) {
		if (!isValid(name)) {
			throw new InvalidInputException("invalid_name",
					what + " name '" + name + "' must match ^[a-z0-9][a-z0-9._-]{0,63}$");
		}
		return name;
	}

}
