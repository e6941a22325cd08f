package io.deepserve.nn;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.deepserve.error.InvalidInputException;

/**
 * Reads float32 tensors from a safetensors file (an 8-byte little-endian header length, a JSON header of names,
 * shapes and byte ranges, then the raw data) one at a time, so that a 500 MB VGG never sits in memory twice.
 */
final class Safetensors implements Closeable {

	/** One tensor's place in the file; {@code start} counts from the end of the header. */
	record Tensor(String name, Shape shape, long start, long bytes) {
	}

	private static final long MAX_HEADER = 16 << 20;

	private static final ObjectMapper JSON = new ObjectMapper();

	private final FileChannel channel;

	private final long dataStart;

	private final Map<String, Tensor> tensors;

	private Safetensors(FileChannel channel, long dataStart, Map<String, Tensor> tensors) {
		this.channel = channel;
		this.dataStart = dataStart;
		this.tensors = tensors;
	}

	/** @throws InvalidInputException {@code 400 invalid_weights} unless the file is float32 safetensors */
	static Safetensors open(Path file) throws IOException {
		FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
		try {
			long size = channel.size();
			long headerLength = size < 8 ? -1 : read(channel, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
			if (headerLength < 2 || headerLength > MAX_HEADER || headerLength > size - 8) {
				throw invalid("the file is not in safetensors format (as scripts/export_pretrained.py writes)");
			}
			ByteBuffer header = read(channel, 8, (int) headerLength);
			long dataBytes = size - 8 - headerLength;
			Map<String, Tensor> tensors = parse(header, dataBytes);
			return new Safetensors(channel, 8 + headerLength, tensors);
		}
		catch (IOException | RuntimeException ex) {
			channel.close();
			throw ex;
		}
	}

	/** Every tensor, in the order of the header. */
	Map<String, Tensor> tensors() {
		return tensors;
	}

	/** One tensor as a new array of {@code manager}. */
	NDArray read(NDManager manager, Tensor tensor) throws IOException {
		ByteBuffer data = read(channel, dataStart + tensor.start(), (int) tensor.bytes());
		return manager.create(data.order(ByteOrder.nativeOrder()), tensor.shape(), DataType.FLOAT32);
	}

	@Override
	public void close() throws IOException {
		channel.close();
	}

	private static Map<String, Tensor> parse(ByteBuffer header, long dataBytes) {
		JsonNode root;
		try {
			byte[] bytes = new byte[header.remaining()];
			header.get(bytes);
			root = JSON.readTree(bytes);
		}
		catch (JacksonException ex) {
			throw invalid("the safetensors header is not valid JSON");
		}
		catch (IOException ex) {
			throw invalid("the safetensors header could not be read");
		}
		if (root == null || !root.isObject()) {
			throw invalid("the safetensors header is not a JSON object");
		}
		Map<String, Tensor> tensors = new LinkedHashMap<>();
		for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext();) {
			Map.Entry<String, JsonNode> entry = it.next();
			if (!"__metadata__".equals(entry.getKey())) {
				tensors.put(entry.getKey(), tensor(entry.getKey(), entry.getValue(), dataBytes));
			}
		}
		return tensors;
	}

	private static Tensor tensor(String name, JsonNode node, long dataBytes) {
		if (!"F32".equals(node.path("dtype").asText())) {
			throw invalid("tensor " + name + " is " + node.path("dtype").asText("of no dtype") + ", not F32 "
					+ "(float32)");
		}
		JsonNode dims = node.path("shape");
		JsonNode offsets = node.path("data_offsets");
		if (!dims.isArray() || !offsets.isArray() || offsets.size() != 2) {
			throw invalid("tensor " + name + " has no shape or data_offsets");
		}
		long[] shape = new long[dims.size()];
		long elements = 1;
		for (int i = 0; i < shape.length; i++) {
			shape[i] = dims.get(i).asLong(-1);
			if (shape[i] < 0 || shape[i] > Integer.MAX_VALUE) {
				throw invalid("tensor " + name + " has an invalid shape " + dims);
			}
			try {
				elements = Math.multiplyExact(elements, shape[i]);
			}
			catch (ArithmeticException ex) {
				throw invalid("tensor " + name + " has an invalid shape " + dims);
			}
		}
		long start = offsets.get(0).asLong(-1);
		long end = offsets.get(1).asLong(-1);
		if (start < 0 || end > dataBytes || end - start != elements * Float.BYTES) {
			throw invalid("tensor " + name + "'s data_offsets " + offsets + " do not hold " + elements
					+ " float32 values within the file");
		}
		if (end - start > Integer.MAX_VALUE) {
			throw invalid("tensor " + name + " is larger than 2 GB");
		}
		return new Tensor(name, new Shape(shape), start, end - start);
	}

	private static ByteBuffer read(FileChannel channel, long position, int bytes) throws IOException {
		ByteBuffer buffer = ByteBuffer.allocateDirect(bytes);
		while (buffer.hasRemaining()) {
			if (channel.read(buffer, position + buffer.position()) < 0) {
				throw invalid("the file ends inside a tensor");
			}
		}
		return buffer.flip();
	}

	static InvalidInputException invalid(String detail) {
		return new InvalidInputException("invalid_weights", detail);
	}

}
