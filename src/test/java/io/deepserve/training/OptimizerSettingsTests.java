package io.deepserve.training;

import ai.djl.training.optimizer.Adam;
import ai.djl.training.optimizer.AdamW;
import ai.djl.training.optimizer.Sgd;
import org.junit.jupiter.api.Test;

import io.deepserve.error.InvalidInputException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OptimizerSettingsTests {

	@Test
	void adamWDecaysByDefaultAndTheOthersDoNot() {
		assertThat(Hyperparameters.NONE.withDefaults().weightDecay()).isZero();
		Hyperparameters adamw = new Hyperparameters(null, null, null, "adamw", null, null, null, null, null, null, null,
				null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
		assertThat(adamw.withDefaults().weightDecay()).isEqualTo(0.01f);
		Hyperparameters given = new Hyperparameters(null, null, null, "adamw", null, null, null, null, null, null,
				null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, 0f);
		assertThat(given.withDefaults().weightDecay()).isZero();
	}

	@Test
	void unknownOptimizersAndDecaysOutsideZeroToOneAreRefusedWithTheirCodes() {
		OptimizerSettings.require("adamw", 0f);
		OptimizerSettings.require("sgd", 0.5f);
		assertThatThrownBy(() -> OptimizerSettings.require("lamb", 0f)).isInstanceOf(InvalidInputException.class)
			.hasFieldOrPropertyWithValue("code", "invalid_hyperparameter")
			.hasMessageContaining("[adam, adamw, sgd]");
		for (float bad : new float[] { -0.01f, 1f, Float.NaN, Float.POSITIVE_INFINITY }) {
			assertThatThrownBy(() -> OptimizerSettings.require("adamw", bad)).as("" + bad)
				.isInstanceOf(InvalidInputException.class)
				.hasFieldOrPropertyWithValue("code", "invalid_weight_decay");
		}
	}

	@Test
	void djlsOptimizerIsTheNamedOne() {
		assertThat(new OptimizerSettings("adam", 0f, (id, n) -> 0.1f).djl()).isInstanceOf(Adam.class);
		assertThat(new OptimizerSettings("adamw", 0.01f, (id, n) -> 0.1f).djl()).isInstanceOf(AdamW.class);
		assertThat(new OptimizerSettings("sgd", 0f, (id, n) -> 0.1f).djl()).isInstanceOf(Sgd.class);
	}

}
