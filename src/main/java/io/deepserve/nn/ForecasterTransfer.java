package io.deepserve.nn;

import ai.djl.nn.Block;

import io.deepserve.error.InvalidInputException;

/**
 * A new forecaster built on a trained one, for transfer learning: the base's body, with its weights, under the
 * base's own head when the horizon is the same (so fine-tuning starts from the whole base), or a fresh head when it
 * differs.
 *
 * @param network the forecaster to train and save; it has the same layout as a fresh one, so it serves like one
 * @param body the base's layers that read the window: frozen for feature extraction, slowed for fine-tuning
 * @param headKept whether the head is the base's
 */
public record ForecasterTransfer(Block network, Block body, boolean headKept) {

	/**
	 * @param base a loaded forecaster of {@link Architectures#newForecaster}'s making
	 * @param baseHorizon the steps the base forecasts
	 * @throws InvalidInputException {@code 400 incompatible_base_model} for a network that is not such a forecaster
	 */
	public static ForecasterTransfer of(Block base, int baseHorizon, int horizon) {
		if (!(base instanceof TransferableForecaster forecaster)) {
			throw new InvalidInputException("incompatible_base_model",
					"the base's network is not a forecaster deepserve built, so it has no recurrent body to transfer");
		}
		boolean keep = baseHorizon == horizon;
		Block head = keep ? forecaster.head() : forecaster.newHead(horizon);
		return new ForecasterTransfer(forecaster.withHead(head), forecaster.body(), keep);
	}

}
