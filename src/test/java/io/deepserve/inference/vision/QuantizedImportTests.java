package io.deepserve.inference.vision;

import java.io.InputStream;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

import io.deepserve.ApplicationTestSupport;
import io.deepserve.inference.Images;
import io.deepserve.registry.RegistryHttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * A model quantized to int8 in PyTorch (the tiny classifier's weights, {@code scripts/make-test-fixtures.py}) imports
 * as TorchScript and serves as it is, answering as the float32 model does within int8's rounding: libtorch runs its
 * quantized convolution and linear layers through DJL unchanged (BENCHMARKS.md, "int8 pays on this CPU").
 */
class QuantizedImportTests extends ApplicationTestSupport {

	@Test
	void anInt8TorchScriptModelServesAsItsFp32ModelAnswers() throws Exception {
		byte[] int8;
		try (InputStream in = getClass().getResourceAsStream("/fixtures/int8-tiny-classifier.pt")) {
			int8 = in.readAllBytes();
		}
		for (byte[] artifact : new byte[][] { Images.tinyTorchScript(), int8 }) {
			ResponseEntity<String> created = RegistryHttp.importVersion(http, "int8-tiny", artifact,
					Images.tinyMetadata(null));
			assertThat(created.getStatusCode()).as(created.getBody()).isEqualTo(HttpStatus.CREATED);
		}
		for (long seed = 1; seed <= 3; seed++) {
			byte[] image = Images.encode(Images.pattern(48, 40, seed), "png");
			Map<String, Double> fp32 = Images.probabilities(http, "int8-tiny:1", image);
			Map<String, Double> quantized = Images.probabilities(http, "int8-tiny:2", image);
			assertThat(quantized.keySet()).isEqualTo(fp32.keySet());
			// int8 rounding moved these images' probabilities by up to 0.026 (fp32's top one 0.58)
			fp32.forEach((label, p) -> assertThat(quantized.get(label)).as(label).isCloseTo(p, within(0.05)));
			assertThat(top(quantized)).isEqualTo(top(fp32));
		}
	}

	private static String top(Map<String, Double> probabilities) {
		return probabilities.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
	}

}
