package io.deepserve.inference.vision;

import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The top-k selection answers exactly what sorting every label would, ties in label order included. */
class TopLabelsTests {

	@Test
	void matchesAFullStableSortForEveryK() {
		Random random = new Random(7);
		for (int round = 0; round < 200; round++) {
			int n = 1 + random.nextInt(40);
			// few distinct values, so ties are common
			float[] p = new float[n];
			for (int i = 0; i < n; i++) {
				p[i] = random.nextInt(6) / 5f;
			}
			List<String> labels = IntStream.range(0, n).mapToObj(i -> "l" + i).toList();
			for (int k = 1; k <= n + 2; k++) {
				List<Classification.Prediction> sorted = IntStream.range(0, n)
					.mapToObj(i -> new Classification.Prediction(labels.get(i), p[i]))
					.sorted(Comparator.comparingDouble(Classification.Prediction::probability).reversed())
					.limit(k)
					.toList();
				assertThat(ImageClassifier.top(labels, p, k)).as("k=%d of %s", k, java.util.Arrays.toString(p))
					.containsExactlyElementsOf(sorted);
			}
		}
	}

}
