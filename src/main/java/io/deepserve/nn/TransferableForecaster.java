package io.deepserve.nn;

import ai.djl.nn.Block;

/**
 * A forecaster that splits into a body that reads the window (what a base passes on) and a head that turns the
 * body's summary into the horizon's values (what a new job may replace).
 */
interface TransferableForecaster extends Block {

	Block body();

	Block head();

	/** The same body, shared rather than copied, under another head. */
	TransferableForecaster withHead(Block head);

	/** A fresh, uninitialised head for {@code horizon} steps, of the kind this forecaster has: linear by default. */
	default Block newHead(int horizon) {
		return Layers.linear(horizon);
	}

}
