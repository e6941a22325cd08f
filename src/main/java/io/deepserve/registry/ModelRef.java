package io.deepserve.registry;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.deepserve.error.InvalidInputException;
import io.deepserve.web.Names;

/**
 * A parsed model reference: {@code name} (alias {@code production}, else newest READY), {@code name:7} or
 * {@code name@staging}.
 */
public record ModelRef(String name, Integer version, String alias) {

	private static final Pattern ALIAS = Pattern.compile("^[a-z][a-z0-9_-]{0,31}$");

	private static final Pattern REF = Pattern.compile("^([^:@]+)(?::(\\d{1,9})|@([^:@]+))?$");

	public static ModelRef parse(String ref) {
		Matcher m = ref == null ? null : REF.matcher(ref);
		if (m == null || !m.matches()) {
			throw new InvalidInputException("invalid_reference",
					"model reference '" + ref + "' must be name, name:version or name@alias");
		}
		String name = Names.require("model", m.group(1));
		Integer version = m.group(2) != null ? Integer.valueOf(m.group(2)) : null;
		String alias = m.group(3) != null ? requireAlias(m.group(3)) : null;
		return new ModelRef(name, version, alias);
	}

	static String requireAlias(String alias) {
		if (alias == null || !ALIAS.matcher(alias).matches()) {
			throw new InvalidInputException("invalid_alias",
					"alias '" + alias + "' must match ^[a-z][a-z0-9_-]{0,31}$");
		}
		return alias;
	}

	@Override
	public String toString() {
		return version != null ? name + ":" + version : alias != null ? name + "@" + alias : name;
	}

}
