package io.deepserve.security;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per key name: {@code perSecond} tokens a second, holding at most one second's worth (at least one
 * request), so a client may burst briefly but not sustain more. Per replica: N replicas allow N times the rate.
 */
final class KeyRateLimiter {

	private static final double NANOS = 1e9;

	private final double perSecond;

	private final double capacity;

	private final LongSupplier clock;

	private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

	KeyRateLimiter(double perSecond, LongSupplier nanoClock) {
		this.perSecond = perSecond;
		this.capacity = Math.max(1, perSecond);
		this.clock = nanoClock;
	}

	boolean enabled() {
		return perSecond > 0;
	}

	/** @return 0 if the request may go ahead, else whole seconds until a token is there (at least 1) */
	long acquire(String key) {
		Bucket bucket = buckets.computeIfAbsent(key, k -> new Bucket(capacity, clock.getAsLong()));
		synchronized (bucket) {
			long now = clock.getAsLong();
			bucket.tokens = Math.min(capacity, bucket.tokens + (now - bucket.at) / NANOS * perSecond);
			bucket.at = now;
			if (bucket.tokens >= 1) {
				bucket.tokens -= 1;
				return 0;
			}
			return Math.max(1, (long) Math.ceil((1 - bucket.tokens) / perSecond));
		}
	}

	private static final class Bucket {

		double tokens;

		long at;

		Bucket(double tokens, long at) {
			this.tokens = tokens;
			this.at = at;
		}

	}

}
