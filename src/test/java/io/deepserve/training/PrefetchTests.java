package io.deepserve.training;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PrefetchTests {

	private record Made(int index, String thread, double draw) {
	}

	/** Five batches taken in order, the last of them with no next. */
	private static List<Made> takeFive(boolean ahead) {
		Random random = new Random(7);
		List<Made> taken = new ArrayList<>();
		try (Prefetch<Made> prefetch = new Prefetch<>(ahead, "test-prefetch",
				index -> new Made(index, Thread.currentThread().getName(), random.nextDouble()))) {
			for (int i = 0; i < 5; i++) {
				taken.add(prefetch.take(i, i + 1 < 5 ? i + 1 : -1));
			}
			assertThat(prefetch.taken()).isEqualTo(5);
		}
		return taken;
	}

	@Test
	void batchesAfterTheFirstAreMadeOnThePrefetchThreadAndDrawWhatTheCallerWouldHaveDrawn() {
		List<Made> ahead = takeFive(true);
		List<Made> inline = takeFive(false);
		String caller = Thread.currentThread().getName();
		assertThat(ahead).extracting(Made::index).containsExactly(0, 1, 2, 3, 4);
		assertThat(ahead).extracting(Made::thread)
			.containsExactly(caller, "test-prefetch", "test-prefetch", "test-prefetch", "test-prefetch");
		assertThat(inline).extracting(Made::thread).containsOnly(caller);
		assertThat(ahead).extracting(Made::draw).containsExactlyElementsOf(inline.stream().map(Made::draw).toList());
	}

	@Test
	void noTwoBatchesAreEverMadeAtOnceEvenWhenTheBatchMadeAheadIsNotTheOneTaken() throws InterruptedException {
		AtomicInteger making = new AtomicInteger();
		AtomicInteger most = new AtomicInteger();
		List<Integer> made = new ArrayList<>();
		IntFunction<Integer> make = index -> {
			most.accumulateAndGet(making.incrementAndGet(), Math::max);
			try {
				Thread.sleep(50);
			}
			catch (InterruptedException ex) {
				throw new IllegalStateException(ex);
			}
			synchronized (made) {
				made.add(index);
			}
			making.decrementAndGet();
			return index;
		};
		try (Prefetch<Integer> prefetch = new Prefetch<>(true, "test-prefetch", make)) {
			assertThat(prefetch.take(0, 1)).isZero();
			assertThat(prefetch.take(3, -1)).as("made for 1, asked for 3").isEqualTo(3);
			assertThat(prefetch.take(4, -1)).isEqualTo(4);
			assertThat(prefetch.madeAhead()).isEqualTo(1);
		}
		assertThat(made).containsExactly(0, 1, 3, 4);
		assertThat(most.get()).isEqualTo(1);
	}

	@Test
	void aFailureMakingABatchAheadReachesTheTrainingThreadWhenItTakesThatBatch() {
		IllegalArgumentException broken = new IllegalArgumentException("image 2 is not an image");
		try (Prefetch<Integer> prefetch = new Prefetch<>(true, "test-prefetch", index -> {
			if (index == 2) {
				throw broken;
			}
			return index;
		})) {
			assertThat(prefetch.take(0, 1)).isZero();
			assertThat(prefetch.take(1, 2)).isOne();
			assertThatThrownBy(() -> prefetch.take(2, 3)).isSameAs(broken);
		}
	}

	@Test
	void closeReturnsOnlyOnceTheBatchBeingMadeIsDone() {
		AtomicBoolean done = new AtomicBoolean();
		Prefetch<Integer> prefetch = new Prefetch<>(true, "test-prefetch", index -> {
			if (index == 1) {
				try {
					Thread.sleep(300);
				}
				catch (InterruptedException ex) {
					throw new IllegalStateException(ex);
				}
				done.set(true);
			}
			return index;
		});
		prefetch.take(0, 1);
		prefetch.close();
		assertThat(done).as("the batch made ahead finished before close returned").isTrue();
		assertThat(prefetch.madeAhead()).isOne();
	}

}
