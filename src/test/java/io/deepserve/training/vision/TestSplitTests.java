package io.deepserve.training.vision;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.deepserve.dataset.ImageFolder;
import io.deepserve.dataset.ImageFolder.Entry;
import io.deepserve.dataset.ShapeFolders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The held-out test split: disjoint from training and validation, stratified, evaluated once at the end. */
class TestSplitTests {

	@TempDir
	Path dir;

	@Test
	void theTestSplitIsStratifiedAndNeverOverlapsTrainingOrValidation() {
		List<Entry> entries = entries(Map.of("a", 20, "b", 10, "c", 5), null);
		Split split = Split.of(entries, List.of("a", "b", "c"), 0.2f, 0.3f, 7);
		assertDisjointAndComplete(split, entries);
		assertThat(perClass(split.test())).isEqualTo(Map.of("a", 6L, "b", 3L, "c", 2L));
		assertThat(perClass(split.val())).isEqualTo(Map.of("a", 4L, "b", 2L, "c", 1L));

		Split without = Split.of(entries, List.of("a", "b", "c"), 0.2f, 7);
		assertThat(without.test()).isEmpty();
		assertThat(Split.of(entries, List.of("a", "b", "c"), 0.2f, 0.3f, 8).test()).as("another seed, other images")
			.isNotEqualTo(split.test());
		assertThat(Split.of(entries, List.of("a", "b", "c"), 0.2f, 0.3f, 7)).as("the same seed, the same split")
			.isEqualTo(split);
	}

	@Test
	void anAuthorsValidationFolderStaysAndTheTestImagesComeFromTrain() {
		List<Entry> entries = new ArrayList<>(entries(Map.of("a", 10, "b", 10), "train"));
		entries.addAll(entries(Map.of("a", 3, "b", 3), "val"));
		Split split = Split.of(entries, List.of("a", "b"), 0.2f, 0.2f, 1);
		assertDisjointAndComplete(split, entries);
		assertThat(split.val()).allMatch(e -> "val".equals(e.split())).hasSize(6);
		assertThat(split.test()).allMatch(e -> "train".equals(e.split()));
		assertThat(perClass(split.test())).isEqualTo(Map.of("a", 2L, "b", 2L));
	}

	@Test
	void aSplitOutsideZeroToOneIsRefused() {
		List<Entry> entries = entries(Map.of("a", 10, "b", 10), null);
		assertThatThrownBy(() -> Split.of(entries, List.of("a", "b"), 0.2f, 1f, 1))
			.isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> Split.of(entries, List.of("a", "b"), 0.2f, -0.1f, 1))
			.isInstanceOf(IllegalArgumentException.class);
	}

	/**
	 * 3 classes of 8 images, 2 of each held out for validation and 2 for test: the cached base sees the 18 training
	 * and validation images once, and the test images once more after the last epoch, through the saved network.
	 */
	@Test
	void theBestEpochsModelIsEvaluatedOnceOnTheTestImages() throws IOException {
		try (ImageFolder images = ShapeFolders.open(dir.resolve("shapes.zip"), List.of("x", "o", "square"), 8, 24, 5);
				NDManager manager = NDManager.newBaseManager(Device.cpu())) {
			FeatureCacheTests.Run run = FeatureCacheTests.run(manager, 3, false, Long.MAX_VALUE, 0.25f, images,
					dir.resolve("work"));
			ImageClassifierTrainer.TestEvaluation test = run.result().test();
			assertThat(test).isNotNull();
			assertThat(run.base().images()).as("12 training + 6 validation images once, then 6 test images once")
				.isEqualTo(24);
			List<List<Integer>> confusion = test.confusionMatrix();
			assertThat(confusion).hasSize(3).allSatisfy(row -> assertThat(row.stream().mapToInt(i -> i).sum())
				.as("test images per class").isEqualTo(2));
			int right = confusion.get(0).get(0) + confusion.get(1).get(1) + confusion.get(2).get(2);
			assertThat(test.accuracy()).isEqualTo(right / 6.0);
			assertThat(test.perClassAccuracy()).containsOnlyKeys("o", "square", "x");
			assertThat(test.perClassAccuracy().get("o")).isEqualTo(confusion.get(0).get(0) / 2.0);
		}
	}

	@Test
	void withoutATestSplitThereIsNoTestEvaluation() throws IOException {
		try (ImageFolder images = ShapeFolders.open(dir.resolve("shapes.zip"), List.of("x", "o"), 6, 24, 5);
				NDManager manager = NDManager.newBaseManager(Device.cpu())) {
			FeatureCacheTests.Run run = FeatureCacheTests.run(manager, 1, false, Long.MAX_VALUE, 0, images,
					dir.resolve("work"));
			assertThat(run.result().test()).isNull();
		}
	}

	private static void assertDisjointAndComplete(Split split, List<Entry> entries) {
		Set<Entry> seen = new HashSet<>();
		for (List<Entry> part : List.of(split.train(), split.val(), split.test())) {
			for (Entry entry : part) {
				assertThat(seen.add(entry)).as(entry + " in two parts").isTrue();
			}
		}
		assertThat(seen).containsExactlyInAnyOrderElementsOf(entries);
	}

	private static Map<String, Long> perClass(List<Entry> entries) {
		return entries.stream().collect(Collectors.groupingBy(Entry::label, Collectors.counting()));
	}

	private static List<Entry> entries(Map<String, Integer> counts, String split) {
		List<Entry> entries = new ArrayList<>();
		counts.forEach((label, n) -> {
			for (int i = 0; i < n; i++) {
				entries.add(new Entry(label, split, (split == null ? "" : split + "/") + label + "/" + i + ".png"));
			}
		});
		return entries;
	}

}
