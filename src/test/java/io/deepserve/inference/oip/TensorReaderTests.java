package io.deepserve.inference.oip;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.junit.jupiter.api.Test;

import io.deepserve.error.DeepserveException;
import io.deepserve.error.InvalidInputException;
import io.deepserve.error.PayloadTooLargeException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The streaming infer-request reader: what it reads, and how early it stops reading what it must refuse. */
class TensorReaderTests {

	/** Four rows of 3 x 2 x 2, numbers up to 100, images up to 10 bytes. */
	private static final TensorLimits LIMITS = new TensorLimits(4, 48, 10);

	@Test
	void readsFlatAndNestedNumbersIntoOneArray() throws IOException {
		TensorRequest flat = read("""
				{"id": "r1", "parameters": {"x": [1, {"y": 2}]}, "inputs": [{"name": "input", "shape": [1, 2, 2],
				 "datatype": "FP32", "data": [1, 2.5, -3, 4e1]}], "outputs": [{"name": "p"}]}""");
		assertThat(flat.id()).isEqualTo("r1");
		assertThat(flat.shape()).containsExactly(1L, 2L, 2L);
		assertThat(flat.datatype()).isEqualTo("FP32");
		assertThat(flat.floats(4)).containsExactly(1f, 2.5f, -3f, 40f);

		TensorRequest nested = read("""
				{"inputs": [{"data": [[[1, 2.5], [-3, 4e1]]], "datatype": "FP32", "shape": [1, 2, 2]}]}""");
		assertThat(nested.floats(4)).containsExactly(1f, 2.5f, -3f, 40f);
		assertThatThrownBy(() -> nested.floats(5)).isInstanceOf(InvalidInputException.class);
	}

	@Test
	void decodesBase64ItemsAndBoundsEach() throws IOException {
		String hello = Base64.getEncoder().encodeToString("hello".getBytes());
		TensorRequest bytes = read("""
				{"inputs": [{"shape": [2], "datatype": "BYTES", "data": ["%s", "aGk"]}]}""".formatted(hello));
		assertThat(bytes.items()).hasSize(2);
		assertThat(new String(bytes.items().get(0))).isEqualTo("hello");
		assertThat(new String(bytes.items().get(1))).as("padding is optional").isEqualTo("hi");

		String eleven = Base64.getEncoder().encodeToString("hello world".getBytes());
		assertRefused("""
				{"inputs": [{"shape": [1], "datatype": "BYTES", "data": ["%s"]}]}""".formatted(eleven),
				PayloadTooLargeException.class, "payload_too_large");
		assertRefused("""
				{"inputs": [{"shape": [1], "datatype": "BYTES", "data": ["%%%%"]}]}""", InvalidInputException.class,
				"invalid_tensor");
	}

	@Test
	void aShapeWhoseElementsOverflowALongIsMalformed() {
		assertRefused("""
				{"inputs": [{"shape": [4611686018427387904, 4], "datatype": "FP32", "data": [1]}]}""",
				InvalidInputException.class, "invalid_tensor");
		assertRefused("""
				{"inputs": [{"shape": [99999999999999999999], "datatype": "FP32", "data": [1]}]}""",
				InvalidInputException.class, "invalid_tensor");
		assertRefused("""
				{"inputs": [{"shape": [1, 0], "datatype": "FP32", "data": [1]}]}""", InvalidInputException.class,
				"invalid_tensor");
	}

	@Test
	void moreRowsThanTheQueueHoldsAreRefusedAtTheShapeBeforeAnyData() {
		InputStream body = endless("{\"inputs\": [{\"datatype\": \"FP32\", \"shape\": [5, 3, 2, 2], \"data\": [");
		assertRefused(body, -1, PayloadTooLargeException.class, "batch_too_large");

		InputStream items = endless("{\"inputs\": [{\"shape\": [5], \"datatype\": \"BYTES\", \"data\": [");
		assertRefused(items, -1, PayloadTooLargeException.class, "batch_too_large");
	}

	@Test
	void moreElementsThanTheLimitAreRefusedAtTheShapeOrAsTheyArrive() {
		assertRefused(endless("{\"inputs\": [{\"shape\": [1, 20000000], \"datatype\": \"FP32\", \"data\": ["), -1,
				PayloadTooLargeException.class, "tensor_too_large");
		// the data before the shape: reading stops at the limit's count of numbers, not at the end of the body
		assertRefused(endless("{\"inputs\": [{\"datatype\": \"FP32\", \"data\": ["), -1,
				PayloadTooLargeException.class, "tensor_too_large");
	}

	@Test
	void aBodyOverTheByteLimitIsRefusedByItsLengthOrWhileStreaming() {
		long limit = LIMITS.maxBodyBytes();
		assertRefused(endless(""), limit + 1, PayloadTooLargeException.class, "payload_too_large");
		// a body of whitespace parses forever without a token: only its byte count stops it
		InputStream spaces = new InputStream() {
			@Override
			public int read() {
				return ' ';
			}
		};
		assertRefused(spaces, -1, PayloadTooLargeException.class, "payload_too_large");
	}

	@Test
	void malformedRequestsAreInvalid() {
		assertRefused("{\"inputs\": ", InvalidInputException.class, "invalid_json");
		assertRefused("[1, 2]", InvalidInputException.class, "invalid_tensor");
		assertRefused("{}", InvalidInputException.class, "invalid_tensor");
		assertRefused("{\"inputs\": [{\"shape\": [1], \"datatype\": \"FP32\", \"data\": [1]}, {}]}",
				InvalidInputException.class, "invalid_tensor");
		assertRefused("{\"inputs\": [{\"shape\": [1], \"datatype\": \"FP32\", \"data\": [\"x\"]}]}",
				InvalidInputException.class, "invalid_tensor");
		assertRefused("{\"inputs\": [{\"shape\": [2], \"datatype\": \"FP32\", \"data\": [1, true]}]}",
				InvalidInputException.class, "invalid_tensor");
		assertRefused("{\"inputs\": [{\"shape\": [1], \"datatype\": \"FP32\", \"data\": [1e999]}]}",
				InvalidInputException.class, "invalid_tensor");
		assertRefused("{\"inputs\": [{\"shape\": [1], \"datatype\": \"FP32\"}]}", InvalidInputException.class,
				"invalid_tensor");
	}

	private static TensorRequest read(String json) throws IOException {
		byte[] body = json.getBytes(StandardCharsets.UTF_8);
		return TensorReader.read(new ByteArrayInputStream(body), body.length, LIMITS, "m:1");
	}

	private static void assertRefused(String json, Class<? extends DeepserveException> type, String code) {
		assertThatThrownBy(() -> read(json)).isInstanceOf(type)
			.satisfies(ex -> assertThat(((DeepserveException) ex).code()).isEqualTo(code));
	}

	private static void assertRefused(InputStream body, long declaredLength, Class<? extends DeepserveException> type,
			String code) {
		assertThatThrownBy(() -> TensorReader.read(body, declaredLength, LIMITS, "m:1")).isInstanceOf(type)
			.satisfies(ex -> assertThat(((DeepserveException) ex).code()).isEqualTo(code));
	}

	/** The prefix, then numbers without end: only a reader that stops early returns. */
	private static InputStream endless(String prefix) {
		InputStream numbers = new InputStream() {
			private final byte[] number = "0.1,".getBytes(StandardCharsets.US_ASCII);

			private long at;

			@Override
			public int read() {
				return number[(int) (at++ % number.length)];
			}
		};
		return new SequenceInputStream(new ByteArrayInputStream(prefix.getBytes(StandardCharsets.UTF_8)), numbers);
	}

}
