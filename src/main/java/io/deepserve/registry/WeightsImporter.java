package io.deepserve.registry;

import io.deepserve.error.DeepserveException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Turns a weights file exported from PyTorch ({@code scripts/export_pretrained.py}) into a saved DJL model
 * directory, which the registry then stores as an ordinary {@link ArtifactFormat#DJL} version. Implemented where
 * the engine lives.
 */
public interface WeightsImporter {

	/**
	 * Writes the model directory.
	 * @throws io.deepserve.error.DeepserveException {@code 400} naming the first tensor that does not fit the
	 * architecture
	 */
	void writeModel(NewModelVersion spec, Path weights, Path modelDir);

	/** Safetensors: an 8-byte little-endian header length, then a JSON header, where a zip starts "PK". */
	static boolean isWeightsFile(Path file) throws IOException {
		byte[] start = new byte[9];
		try (InputStream in = Files.newInputStream(file)) {
			if (in.readNBytes(start, 0, start.length) < start.length) {
				return false;
			}
		}
		long headerLength = ByteBuffer.wrap(start).order(ByteOrder.LITTLE_ENDIAN).getLong();
		return start[8] == '{' && headerLength > 1 && headerLength <= Files.size(file) - 8;
	}

}
