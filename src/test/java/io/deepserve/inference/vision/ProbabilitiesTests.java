package io.deepserve.inference.vision;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The lecture's worked softmax, through the conversion every served classification goes through. */
class ProbabilitiesTests {

	@Test
	void softmaxOfOneTwoThree() {
		float[] p = Probabilities.of(new float[] { 1, 2, 3 });

		assertThat(p[0]).isCloseTo(0.090f, within(0.0005f));
		assertThat(p[1]).isCloseTo(0.245f, within(0.0005f));
		assertThat(p[2]).isCloseTo(0.665f, within(0.0005f));
	}

	@Test
	void onlyDifferencesBetweenScoresMatter() {
		float[] shifted = Probabilities.of(new float[] { 1001, 1002, 1003 });

		assertThat(shifted).containsExactly(Probabilities.of(new float[] { 1, 2, 3 }),
				org.assertj.core.api.Assertions.offset(1e-6f));
	}

	@Test
	void rowsThatAreProbabilitiesAlreadyAreLeftAlone() {
		float[] p = { 0.2f, 0.3f, 0.5f };

		assertThat(Probabilities.of(p)).containsExactly(0.2f, 0.3f, 0.5f);
	}

}
