package io.deepserve.training.vision;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import io.deepserve.dataset.ImageFolder.Entry;

/**
 * Training and validation images: the dataset author's {@code train/} and {@code val/} when the zip has a
 * {@code val/}, otherwise a seeded shuffle of each class, {@code validationSplit} of it held out (at least one).
 */
record Split(List<Entry> train, List<Entry> val) {

	static Split of(List<Entry> entries, List<String> classes, float validationSplit, long seed) {
		if (entries.stream().anyMatch(e -> "val".equals(e.split()))) {
			return check(new Split(entries.stream().filter(e -> !"val".equals(e.split())).toList(),
					entries.stream().filter(e -> "val".equals(e.split())).toList()));
		}
		if (!(validationSplit > 0 && validationSplit < 1)) {
			throw new IllegalArgumentException("validationSplit must be above 0 and below 1");
		}
		Random random = new Random(seed);
		List<Entry> train = new ArrayList<>();
		List<Entry> val = new ArrayList<>();
		for (String label : classes) {
			List<Entry> mine = new ArrayList<>(entries.stream().filter(e -> e.label().equals(label)).toList());
			Collections.shuffle(mine, random);
			int held = Math.max(1, Math.round(mine.size() * validationSplit));
			val.addAll(mine.subList(0, Math.min(held, mine.size())));
			train.addAll(mine.subList(Math.min(held, mine.size()), mine.size()));
		}
		return check(new Split(train, val));
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
