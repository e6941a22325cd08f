package io.deepserve.inference.oip;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.core.Base64Variant;
import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import io.deepserve.error.DeepserveException;
import io.deepserve.error.InvalidInputException;
import io.deepserve.error.PayloadTooLargeException;
import io.deepserve.inference.BoundedBody;

import static io.deepserve.inference.oip.TensorRequest.invalid;

/**
 * Reads an infer request token by token, straight into a {@code float[]} (or decoded BYTES items), within the
 * version's {@link TensorLimits}: a tree of boxed numbers costs about twelve times the body's size in heap, and a
 * request that is too large is refused the moment that shows, most often at its {@code shape}.
 */
final class TensorReader {

	private static final JsonFactory JSON = JsonFactory.builder().build();

	/** Padding is optional, as in {@link java.util.Base64}'s decoder. */
	private static final Base64Variant BASE64 = Base64Variants.MIME_NO_LINEFEEDS.withPaddingAllowed();

	/** Deeper than any tensor deepserve serves; bounds nested data and shape arrays alike. */
	private static final int MAX_DIMENSIONS = 16;

	private TensorReader() {
	}

	/**
	 * @param declaredLength the body's {@code Content-Length}, -1 when it has none
	 * @param ref the version the request is for, named in a 413
	 */
	static TensorRequest read(InputStream body, long declaredLength, TensorLimits limits, String ref)
			throws IOException {
		InputStream bounded = BoundedBody.open(body, declaredLength, limits.maxBodyBytes(), "a request to " + ref);
		try (JsonParser parser = JSON.createParser(bounded)) {
			if (parser.nextToken() != JsonToken.START_OBJECT) {
				throw invalid("the body must be a JSON object with an \"inputs\" array");
			}
			String id = null;
			TensorRequest tensor = null;
			while (parser.nextToken() == JsonToken.FIELD_NAME) {
				String field = parser.currentName();
				JsonToken value = parser.nextToken();
				if ("id".equals(field) && value == JsonToken.VALUE_STRING) {
					id = parser.getText();
				}
				else if ("inputs".equals(field)) {
					tensor = inputs(parser, limits);
				}
				else {
					parser.skipChildren();
				}
			}
			if (tensor == null) {
				throw invalid("\"inputs\" must hold exactly one tensor");
			}
			return new TensorRequest(id, tensor.name(), tensor.shape(), tensor.datatype(), tensor.numbers(),
					tensor.items());
		}
		catch (JacksonException ex) {
			throw new InvalidInputException("invalid_json", "the body is not valid JSON: " + ex.getOriginalMessage());
		}
	}

	private static TensorRequest inputs(JsonParser parser, TensorLimits limits) throws IOException {
		if (parser.currentToken() != JsonToken.START_ARRAY || parser.nextToken() != JsonToken.START_OBJECT) {
			throw invalid("\"inputs\" must hold exactly one tensor");
		}
		TensorRequest tensor = tensor(parser, limits);
		if (parser.nextToken() != JsonToken.END_ARRAY) {
			throw invalid("\"inputs\" must hold exactly one tensor");
		}
		return tensor;
	}

	private static TensorRequest tensor(JsonParser parser, TensorLimits limits) throws IOException {
		String name = "input";
		String datatype = null;
		List<Long> shape = null;
		Data data = null;
		while (parser.nextToken() == JsonToken.FIELD_NAME) {
			String field = parser.currentName();
			JsonToken value = parser.nextToken();
			switch (field) {
				case "name" -> {
					if (value == JsonToken.VALUE_STRING) {
						name = parser.getText();
					}
					parser.skipChildren();
				}
				case "datatype" -> {
					if (value != JsonToken.VALUE_STRING) {
						throw invalid("the input tensor needs a \"datatype\" such as FP32");
					}
					datatype = parser.getText();
				}
				case "shape" -> shape = shape(parser, limits);
				case "data" -> data = data(parser, limits, datatype);
				default -> parser.skipChildren();
			}
		}
		if (shape == null) {
			throw invalid("the input tensor needs a \"shape\" array");
		}
		if (datatype == null) {
			throw invalid("the input tensor needs a \"datatype\" such as FP32");
		}
		if (data == null) {
			throw invalid("the input tensor needs a \"data\" array");
		}
		return new TensorRequest(null, name, shape, datatype, data.numbers(), data.items);
	}

	/**
	 * Checked as soon as it is read, before any data: an element count beyond a long is malformed (400), one beyond
	 * the limits, or more rows than the version's queue holds, is too large (413).
	 */
	private static List<Long> shape(JsonParser parser, TensorLimits limits) throws IOException {
		if (parser.currentToken() != JsonToken.START_ARRAY) {
			throw invalid("the input tensor needs a \"shape\" array");
		}
		List<Long> dims = new ArrayList<>();
		long elements = 1;
		boolean overflow = false;
		for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
			if (token != JsonToken.VALUE_NUMBER_INT || parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
					|| parser.getLongValue() < 1) {
				throw invalid("shape dimensions must be positive integers below 2^63, not " + parser.getText());
			}
			if (dims.size() == MAX_DIMENSIONS) {
				throw invalid("a shape has at most " + MAX_DIMENSIONS + " dimensions");
			}
			long dim = parser.getLongValue();
			dims.add(dim);
			if (!overflow) {
				try {
					elements = Math.multiplyExact(elements, dim);
				}
				catch (ArithmeticException ex) {
					overflow = true;
				}
			}
		}
		if (dims.isEmpty()) {
			throw invalid("the input tensor needs a \"shape\" array");
		}
		if (overflow) {
			throw invalid("shape " + dims + " has more elements than a tensor can hold");
		}
		if (dims.get(0) > limits.maxRows()) {
			throw new PayloadTooLargeException("batch_too_large", "the request holds " + dims.get(0)
					+ " inputs; this version queues at most " + limits.maxRows()
					+ " (its queueSize), so send at most that many per request");
		}
		if (elements > limits.maxElements()) {
			throw tensorTooLarge(elements + " elements", limits);
		}
		return List.copyOf(dims);
	}

	private static Data data(JsonParser parser, TensorLimits limits, String datatype) throws IOException {
		if (parser.currentToken() != JsonToken.START_ARRAY) {
			throw invalid("the input tensor needs a \"data\" array");
		}
		Data data = new Data(limits);
		int depth = 1;
		while (depth > 0) {
			JsonToken token = parser.nextToken();
			if (token == null) {
				throw new InvalidInputException("invalid_json", "the body ends inside the data array");
			}
			switch (token) {
				case START_ARRAY -> {
					if (++depth > MAX_DIMENSIONS) {
						throw invalid("data is nested deeper than any shape");
					}
				}
				case END_ARRAY -> depth--;
				case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
					if ("BYTES".equals(datatype)) {
						throw invalid("BYTES data must be base64 strings");
					}
					data.add(parser.getFloatValue());
				}
				case VALUE_STRING -> {
					if (datatype != null && !"BYTES".equals(datatype) || limits.maxImageBytes() == 0) {
						throw invalid("data must hold numbers only, not strings");
					}
					data.addItem(parser);
				}
				default -> throw invalid("data must hold numbers only, not " + token.asString());
			}
		}
		if (data.count > 0 && !data.items.isEmpty()) {
			throw invalid("data holds numbers and strings; it must hold one kind");
		}
		return data;
	}

	private static DeepserveException tensorTooLarge(String what, TensorLimits limits) {
		return new PayloadTooLargeException("tensor_too_large", "the tensor has " + what + "; this version takes at "
				+ "most " + limits.maxElements() + " (its queueSize times one input, within "
				+ "deepserve.inference.max-tensor-elements)");
	}

	/** The data as read so far: numbers in a growing primitive array, or decoded items. */
	private static final class Data {

		private final TensorLimits limits;

		private float[] numbers = new float[1024];

		private int count;

		private final List<byte[]> items = new ArrayList<>();

		Data(TensorLimits limits) {
			this.limits = limits;
		}

		void add(float value) {
			if (!Float.isFinite(value)) {
				throw invalid("data must hold finite numbers");
			}
			if (count == limits.maxElements()) {
				throw tensorTooLarge("more than " + limits.maxElements() + " numbers", limits);
			}
			if (count == numbers.length) {
				numbers = Arrays.copyOf(numbers, (int) Math.min(limits.maxElements(), 2L * count));
			}
			numbers[count++] = value;
		}

		void addItem(JsonParser parser) throws IOException {
			if (items.size() == limits.maxRows()) {
				throw new PayloadTooLargeException("batch_too_large", "data holds more than " + limits.maxRows()
						+ " items, the most this version queues (its queueSize)");
			}
			ByteArrayOutputStream bytes = new ByteArrayOutputStream() {
				@Override
				public void write(int b) {
					write(new byte[] { (byte) b }, 0, 1);
				}

				@Override
				public void write(byte[] b, int off, int len) {
					if (size() + len > limits.maxImageBytes()) {
						throw new PayloadTooLargeException("an image is larger than "
								+ "deepserve.inference.max-image-bytes (" + limits.maxImageBytes() + " bytes)");
					}
					super.write(b, off, len);
				}
			};
			try {
				parser.readBinaryValue(BASE64, bytes);
			}
			catch (JacksonException ex) {
				throw invalid("BYTES data must be base64: " + ex.getOriginalMessage());
			}
			catch (IllegalArgumentException ex) {
				// how Jackson reports a character outside the alphabet
				throw invalid("BYTES data must be base64: " + ex.getMessage());
			}
			items.add(bytes.toByteArray());
		}

		float[] numbers() {
			return count == numbers.length ? numbers : Arrays.copyOf(numbers, count);
		}

	}

}
