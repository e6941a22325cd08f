package io.deepserve.security;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class KeyRateLimiterTests {

	final AtomicLong now = new AtomicLong();

	@Test
	void allowsOneSecondsBurstThenTheRate() {
		KeyRateLimiter limiter = new KeyRateLimiter(2, now::get);
		assertThat(limiter.acquire("ci")).isZero();
		assertThat(limiter.acquire("ci")).isZero();
		assertThat(limiter.acquire("ci")).isEqualTo(1);
		assertThat(limiter.acquire("shop")).as("each key has its own bucket").isZero();
		now.addAndGet(500_000_000L);
		assertThat(limiter.acquire("ci")).isZero();
		assertThat(limiter.acquire("ci")).isEqualTo(1);
		now.addAndGet(10_000_000_000L);
		assertThat(limiter.acquire("ci")).isZero();
		assertThat(limiter.acquire("ci")).as("idle time does not build a burst beyond one second").isZero();
		assertThat(limiter.acquire("ci")).isEqualTo(1);
	}

	@Test
	void aSlowRateSaysHowLongToWait() {
		KeyRateLimiter limiter = new KeyRateLimiter(0.1, now::get);
		assertThat(limiter.acquire("ci")).isZero();
		assertThat(limiter.acquire("ci")).isEqualTo(10);
		now.addAndGet(4_000_000_000L);
		assertThat(limiter.acquire("ci")).isEqualTo(6);
	}

	@Test
	void zeroIsOff() {
		assertThat(new KeyRateLimiter(0, now::get).enabled()).isFalse();
	}

}
