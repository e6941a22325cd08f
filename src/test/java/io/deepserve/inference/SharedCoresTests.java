package io.deepserve.inference;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A worker's threads follow how many workers run: the chosen share when all do, every core when it runs alone. */
class SharedCoresTests {

	private final AtomicInteger live = new AtomicInteger(1);

	private final List<Integer> limits = new ArrayList<>();

	private final List<String> calls = new ArrayList<>();

	@Test
	void aLoneWorkerTakesEveryCoreAndGivesThemBackWhenOthersRun() {
		SharedCores<Integer, Integer> handler = new SharedCores<>(doubling(), live::get, 8, 2, limits::add);

		assertThat(handler.run(List.of(1, 2))).containsExactly(2, 4);
		live.set(4);
		handler.run(List.of(3));
		live.set(2);
		handler.run(List.of(4));
		handler.run(List.of(5));
		live.set(0);
		handler.run(List.of(6));

		// alone 8; with four running 2, the chosen share; with two 4; set again only when it changes
		assertThat(limits).containsExactly(8, 2, 4, 8);
		handler.rest();
		handler.close();
		assertThat(calls).containsExactly("run", "run", "run", "run", "run", "rest", "close");
	}

	@Test
	void neverFewerThanTheChosenShare() {
		live.set(2);
		SharedCores<Integer, Integer> handler = new SharedCores<>(doubling(), live::get, 2, 1, limits::add);

		handler.run(List.of(1));
		live.set(3);
		handler.run(List.of(1));

		assertThat(limits).as("two cores over two or three workers: the share it has, 1, is never changed").isEmpty();
	}

	private BatchHandler<Integer, Integer> doubling() {
		return new BatchHandler<>() {
			@Override
			public List<Integer> run(List<Integer> inputs) {
				calls.add("run");
				return inputs.stream().map(i -> 2 * i).toList();
			}

			@Override
			public void rest() {
				calls.add("rest");
			}

			@Override
			public void close() {
				calls.add("close");
			}
		};
	}

}
