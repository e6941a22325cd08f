package io.deepserve.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import io.deepserve.config.DeepserveProperties;

/**
 * The configured keys, known only by their SHA-256: a leaked configuration does not leak a usable key. Keys are
 * long random strings, so a plain (unsalted, fast) hash is enough; slow password hashes are for guessable secrets.
 */
final class ApiKeys {

	private final List<Entry> entries;

	private ApiKeys(List<Entry> entries) {
		this.entries = entries;
	}

	static ApiKeys from(DeepserveProperties.Security security) {
		Set<String> names = new HashSet<>();
		Set<String> hashes = new HashSet<>();
		List<Entry> entries = security.apiKeys().stream().map(key -> {
			if (!names.add(key.name())) {
				throw new IllegalStateException("deepserve.security.api-keys: the name '" + key.name()
						+ "' is used twice; names identify keys in the alias history");
			}
			if (!hashes.add(key.sha256().toLowerCase())) {
				throw new IllegalStateException("deepserve.security.api-keys: two keys have the same sha256");
			}
			Set<Role> roles = key.roles().stream().map(Role::parse).collect(Collectors.toSet());
			return new Entry(key.name(), HexFormat.of().parseHex(key.sha256()), Set.copyOf(roles));
		}).toList();
		return new ApiKeys(entries);
	}

	boolean isEmpty() {
		return entries.isEmpty();
	}

	/** Compares against every key in constant time, so timing tells neither which key nor how much matched. */
	Optional<Caller> authenticate(String presented) {
		byte[] hash = sha256(presented);
		Entry match = null;
		for (Entry entry : entries) {
			if (MessageDigest.isEqual(entry.sha256(), hash)) {
				match = entry;
			}
		}
		return Optional.ofNullable(match).map(e -> new Caller(e.name(), e.roles()));
	}

	static byte[] sha256(String key) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("every Java runtime has SHA-256", ex);
		}
	}

	private record Entry(String name, byte[] sha256, Set<Role> roles) {
	}

}
