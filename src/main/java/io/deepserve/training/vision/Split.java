package io.deepserve.training.vision;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import io.deepserve.dataset.ImageFolder.Entry;

/**
 * Training, validation and test images: the dataset author's {@code train/} and {@code val/} when the zip has a
 * {@code val/}, otherwise a seeded shuffle of each class, {@code validationSplit} of it held out (at least one).
 * With a {@code testSplit}, a further part of each class (at least one image) is held out of both for the test
 * set, which nothing in training ever looks at; it comes from {@code train/} when the author split the zip.
 */
record Split(List<Entry> train, List<Entry> val, List<Entry> test) {

	static Split of(List<Entry> entries, List<String> classes, float validationSplit, long seed) {
		return of(entries, classes, validationSplit, 0f, seed);
	}

	static Split of(List<Entry> entries, List<String> classes, float validationSplit, float testSplit, long seed) {
		if (!(testSplit >= 0 && testSplit < 1)) {
			throw new IllegalArgumentException("testSplit must be at least 0 and below 1");
		}
		Random random = new Random(seed);
		List<Entry> train = new ArrayList<>();
		List<Entry> val = new ArrayList<>();
		List<Entry> test = new ArrayList<>();
		if (entries.stream().anyMatch(e -> "val".equals(e.split()))) {
			val.addAll(entries.stream().filter(e -> "val".equals(e.split())).toList());
			List<Entry> given = entries.stream().filter(e -> !"val".equals(e.split())).toList();
			if (testSplit == 0) {
				return check(new Split(given, val, test));
			}
			for (String label : classes) {
				List<Entry> mine = shuffled(given, label, random);
				int held = Math.min(mine.size(), held(mine.size(), testSplit));
				test.addAll(mine.subList(0, held));
				train.addAll(mine.subList(held, mine.size()));
			}
			return check(new Split(train, val, test));
		}
		if (!(validationSplit > 0 && validationSplit < 1)) {
			throw new IllegalArgumentException("validationSplit must be above 0 and below 1");
		}
		for (String label : classes) {
			List<Entry> mine = shuffled(entries, label, random);
			int held = Math.min(mine.size(), held(mine.size(), validationSplit));
			int tested = testSplit == 0 ? held : Math.min(mine.size(), held + held(mine.size(), testSplit));
			val.addAll(mine.subList(0, held));
			test.addAll(mine.subList(held, tested));
			train.addAll(mine.subList(tested, mine.size()));
		}
		return check(new Split(train, val, test));
	}

	/** Images of a class of {@code images} that a split of {@code fraction} holds out: at least one. */
	static int held(int images, float fraction) {
		return Math.max(1, Math.round(images * fraction));
	}

	private static List<Entry> shuffled(List<Entry> entries, String label, Random random) {
		List<Entry> mine = new ArrayList<>(entries.stream().filter(e -> e.label().equals(label)).toList());
		Collections.shuffle(mine, random);
		return mine;
	}

	private static Split check(Split split) {
		if (split.train().size() < 2) {
			throw new IllegalArgumentException("the dataset leaves fewer than 2 training images");
		}
		if (split.val().isEmpty()) {
			throw new IllegalArgumentException("the dataset leaves no validation images");
		}
		return split;
	}

}
