package io.deepserve.inference.oip;

import java.util.List;

import io.deepserve.error.DeepserveException;
import io.deepserve.error.InvalidInputException;

/**
 * The parts of an Open Inference Protocol (KServe v2) infer request deepserve reads: the request {@code id} and
 * its one input tensor, whose {@code data} was numbers (flattened row-major into {@code numbers}) or base64 strings
 * (decoded into {@code items}), never both.
 */
record TensorRequest(String id, String name, List<Long> shape, String datatype, float[] numbers, List<byte[]> items) {

	/** Every number of {@code data}, flattened row-major. */
	float[] floats(long expected) {
		if (!items.isEmpty()) {
			throw invalid("data must hold numbers only, not strings");
		}
		if (numbers.length != expected) {
			throw invalid("data holds " + numbers.length + " numbers; shape " + shape + " needs " + expected);
		}
		return numbers;
	}

	static DeepserveException invalid(String detail) {
		return new InvalidInputException("invalid_tensor", detail);
	}

}
