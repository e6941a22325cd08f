package io.deepserve.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;

/**
 * GoogLeNet's training loss: the main head's softmax cross-entropy plus 0.3 times each auxiliary head's (Szegedy
 * et al. 2014, section 5). DJL's own loss accepts a single prediction only. An inference forward, which gives the
 * main output alone, is scored on it alone, so validation loss stays comparable with other networks.
 */
final class AuxiliaryHeadsLoss extends Loss {

	static final float AUXILIARY_WEIGHT = 0.3f;

	private final Loss crossEntropy = Loss.softmaxCrossEntropyLoss();

	AuxiliaryHeadsLoss() {
		super("SoftmaxCrossEntropyLoss");
	}

	@Override
	public NDArray evaluate(NDList labels, NDList predictions) {
		NDArray loss = crossEntropy.evaluate(labels, new NDList(predictions.head()));
		for (int i = 1; i < predictions.size(); i++) {
			NDArray auxiliary = crossEntropy.evaluate(labels, new NDList(predictions.get(i)));
			loss = loss.add(auxiliary.mul(AUXILIARY_WEIGHT));
		}
		return loss;
	}

}
