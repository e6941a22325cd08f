package io.deepserve.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import io.deepserve.error.InvalidInputException;

/**
 * What an int8 version ({@code serving.precision: int8}) must be at import: a TorchScript network quantized in PyTorch
 * (its code calls libtorch's quantized operators), and an {@code agreementReference} naming a float32 version of the
 * same classifier, with the same labels and preprocessing, to be measured against wherever it loads.
 */
final class QuantizedImport {

	/** The class file TorchScript writes for the packed weights of quantized convolution and linear layers. */
	private static final String PACKED_PARAMS = "code/__torch__/torch/classes/quantized.py";

	/** The code of a TorchScript archive read in search of quantized operators, at most. */
	private static final long MAX_CODE_BYTES = 16L << 20;

	private QuantizedImport() {
	}

	/**
	 * @param find a registered version by name and number, if there is one
	 * @throws InvalidInputException {@code invalid_metadata} for an artifact that is not TorchScript,
	 * {@code not_quantized} for one without quantized operators, {@code invalid_agreement_reference} for a reference
	 * that is missing or is not this classifier in float32
	 */
	static void check(NewModelVersion spec, ArtifactFormat format, Path artifact,
			BiFunction<String, Integer, Optional<ModelVersion>> find) {
		if (spec.serving() == null || !ModelVersion.INT8.equals(spec.serving().get("precision"))) {
			return;
		}
		if (format != ArtifactFormat.TORCHSCRIPT) {
			throw new InvalidInputException("invalid_metadata", "serving.precision int8 serves a network quantized "
					+ "in PyTorch and saved as TorchScript (scripts/quantize_int8.py writes one); this artifact is a "
					+ format.id() + ", which the service does not quantize");
		}
		if (!quantized(artifact)) {
			throw new InvalidInputException("not_quantized", "serving.precision int8 was asked for, but this "
					+ "TorchScript network calls no quantized operator: quantize it in PyTorch first "
					+ "(scripts/quantize_int8.py), or import it at fp32 or bf16");
		}
		ModelRef ref = ModelRef.parse(spec.serving().get("agreementReference").toString());
		ModelVersion reference = find.apply(ref.name(), ref.version())
			.orElseThrow(() -> invalidReference(ref + " is not a registered version"));
		if (reference.task() != Task.IMAGE_CLASSIFICATION || !ModelVersion.FP32.equals(reference.precision())) {
			throw invalidReference(ref + " is a " + reference.task() + " served at " + reference.precision()
					+ ", not an image classifier served at fp32");
		}
		if (!Objects.equals(reference.labels(), spec.labels())) {
			throw invalidReference(ref + " has labels " + reference.labels() + ", not this version's " + spec.labels());
		}
		if (!Objects.equals(reference.preprocessing(), spec.preprocessing())) {
			throw invalidReference(ref + " preprocesses images as " + reference.preprocessing()
					+ ", and this version as " + spec.preprocessing() + ": both read the same tensors when compared");
		}
	}

	/** The refs of those of {@code versions} that name {@code ref} as their {@code agreementReference}. */
	static List<String> referencing(List<ModelVersion> versions, String ref) {
		return versions.stream().filter(v -> ref.equals(v.agreementReference())).map(ModelVersion::ref).toList();
	}

	private static InvalidInputException invalidReference(String why) {
		return new InvalidInputException("invalid_agreement_reference", "serving.agreementReference must name the "
				+ "float32 version this int8 network was quantized from: " + why);
	}

	/** The archive writes the packed-weights class, or its code calls a quantized operator. */
	private static boolean quantized(Path artifact) {
		try (ZipFile zip = new ZipFile(artifact.toFile())) {
			long read = 0;
			Enumeration<? extends ZipEntry> entries = zip.entries();
			while (entries.hasMoreElements()) {
				ZipEntry entry = entries.nextElement();
				if (entry.getName().endsWith(PACKED_PARAMS)) {
					return true;
				}
				if (!entry.getName().contains("code/") || !entry.getName().endsWith(".py") || read > MAX_CODE_BYTES) {
					continue;
				}
				try (InputStream in = zip.getInputStream(entry)) {
					byte[] code = in.readNBytes((int) (MAX_CODE_BYTES - read));
					read += code.length;
					if (new String(code, StandardCharsets.UTF_8).contains("ops.quantized.")) {
						return true;
					}
				}
			}
			return false;
		}
		catch (IOException ex) {
			throw new InvalidInputException("invalid_artifact", "the artifact could not be read: " + ex.getMessage());
		}
	}

}
