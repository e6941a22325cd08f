package io.deepserve.inference.oip;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import io.deepserve.error.DeepserveException;
import io.deepserve.error.InvalidInputException;

/**
 * The parts of an Open Inference Protocol (KServe v2) infer request deepserve reads: the request {@code id} and
 * its one input tensor. {@code data} may be flat (row-major) or nested as the shape, as the protocol allows.
 */
record TensorRequest(String id, String name, List<Long> shape, String datatype, JsonNode data) {

	static TensorRequest parse(JsonNode body) {
		if (body == null || !body.isObject()) {
			throw invalid("the body must be a JSON object with an \"inputs\" array");
		}
		JsonNode inputs = body.get("inputs");
		if (inputs == null || !inputs.isArray() || inputs.size() != 1) {
			throw invalid("\"inputs\" must hold exactly one tensor");
		}
		JsonNode input = inputs.get(0);
		JsonNode shape = input.get("shape");
		if (shape == null || !shape.isArray() || shape.isEmpty()) {
			throw invalid("the input tensor needs a \"shape\" array");
		}
		List<Long> dims = new ArrayList<>();
		for (JsonNode d : shape) {
			if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 1) {
				throw invalid("shape dimensions must be positive integers, not " + d);
			}
			dims.add(d.asLong());
		}
		JsonNode datatype = input.get("datatype");
		JsonNode data = input.get("data");
		if (datatype == null || !datatype.isTextual()) {
			throw invalid("the input tensor needs a \"datatype\" such as FP32");
		}
		if (data == null || !data.isArray()) {
			throw invalid("the input tensor needs a \"data\" array");
		}
		JsonNode id = body.get("id");
		JsonNode name = input.get("name");
		return new TensorRequest(id != null && id.isTextual() ? id.asText() : null,
				name != null && name.isTextual() ? name.asText() : "input", List.copyOf(dims), datatype.asText(), data);
	}

	long elements() {
		long n = 1;
		for (long d : shape) {
			n = Math.multiplyExact(n, d);
		}
		return n;
	}

	/** Every number of {@code data}, flattened row-major; refuses non-numbers, NaN and infinities. */
	float[] floats(int expected) {
		float[] out = new float[expected];
		int[] at = { 0 };
		flatten(data, out, at);
		if (at[0] != expected) {
			throw invalid("data holds " + at[0] + " numbers; shape " + shape + " needs " + expected);
		}
		return out;
	}

	private static void flatten(JsonNode node, float[] out, int[] at) {
		for (JsonNode value : node) {
			if (value.isArray()) {
				flatten(value, out, at);
				continue;
			}
			if (!value.isNumber()) {
				throw invalid("data must hold numbers only, not " + value.getNodeType().name().toLowerCase());
			}
			float f = value.floatValue();
			if (!Float.isFinite(f)) {
				throw invalid("data must hold finite numbers");
			}
			if (at[0] >= out.length) {
				throw invalid("data holds more numbers than its shape says");
			}
			out[at[0]++] = f;
		}
	}

	static DeepserveException invalid(String detail) {
		return new InvalidInputException("invalid_tensor", detail);
	}

}
