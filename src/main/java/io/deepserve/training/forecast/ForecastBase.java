package io.deepserve.training.forecast;

import ai.djl.nn.Block;

/**
 * A registered forecaster a job starts from.
 *
 * @param network the base's loaded network, which stays open while the job trains
 * @param horizon the steps the base forecasts: its head is kept when the job's horizon is the same
 * @param freeze feature extraction: the base's body stays exactly as it is, only the head trains
 * @param baseFactor fine-tuning: the body's learning rate as a fraction of the head's
 */
record ForecastBase(Block network, int horizon, boolean freeze, float baseFactor) {
}
