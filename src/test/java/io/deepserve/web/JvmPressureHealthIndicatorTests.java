package io.deepserve.web;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.health.Status;

import static org.assertj.core.api.Assertions.assertThat;

class JvmPressureHealthIndicatorTests {

	private long now;

	private long gc;

	private double heap;

	private final JvmPressureHealthIndicator indicator = new JvmPressureHealthIndicator(() -> now, () -> gc,
			() -> heap);

	@Test
	void downOnlyWhileGcTakesMostOfTheTimeAndTheHeapStaysFull() {
		heap = 0.97;
		elapse(10, 1);
		assertThat(indicator.health().getStatus()).as("a full heap the GC rarely runs for").isEqualTo(Status.UP);

		elapse(10, 9);
		elapse(10, 9);
		assertThat(indicator.health().getStatus()).as("thrashing").isEqualTo(Status.DOWN);
		assertThat(indicator.health().getDetails()).containsKeys("gcTimeShare", "heapUsedAfterGc");

		heap = 0.4;
		assertThat(indicator.health().getStatus()).as("busy GC that frees memory").isEqualTo(Status.UP);
	}

	@Test
	void recoversOnceTheThrashingIsOutOfTheWindow() {
		heap = 0.97;
		for (int i = 0; i < 4; i++) {
			elapse(10, 10);
		}
		assertThat(indicator.health().getStatus()).isEqualTo(Status.DOWN);
		for (int i = 0; i < 4; i++) {
			elapse(10, 0);
			indicator.health();
		}
		assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
	}

	@Test
	void tooShortASpanSaysNothing() {
		heap = 1;
		elapse(1, 1);
		assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
	}

	/** Moves the clock {@code seconds} on, {@code gcSeconds} of them in GC, and samples. */
	private void elapse(int seconds, int gcSeconds) {
		now += TimeUnit.SECONDS.toNanos(seconds);
		gc += TimeUnit.SECONDS.toMillis(gcSeconds);
		indicator.health();
	}

}
