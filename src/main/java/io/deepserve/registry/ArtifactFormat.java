package io.deepserve.registry;

import java.util.Arrays;

import com.fasterxml.jackson.annotation.JsonValue;

/** The two artifact layouts the registry stores. */
public enum ArtifactFormat {

	/** A zip of a DJL model directory ({@code <name>-NNNN.params} plus optional files). */
	DJL("djl", "zip"),
	/** A TorchScript archive as written by {@code torch.jit.save}. */
	TORCHSCRIPT("torchscript", "pt");

	private final String id;

	private final String extension;

	ArtifactFormat(String id, String extension) {
		this.id = id;
		this.extension = extension;
	}

	@JsonValue
	public String id() {
		return id;
	}

	public String extension() {
		return extension;
	}

	public static ArtifactFormat of(String id) {
		return Arrays.stream(values()).filter(f -> f.id.equals(id)).findFirst().orElseThrow();
	}

}
