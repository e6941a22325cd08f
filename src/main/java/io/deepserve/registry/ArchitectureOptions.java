package io.deepserve.registry;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * The shape options a version's network was built with beyond its architecture's name: DenseNet's growth rate and
 * transition compression. A null option is the architecture's default; a version stored before options existed has
 * none, and so the defaults.
 *
 * @param growthRate DenseNet's k, the channels each dense layer adds (torchvision's {@code growth_rate}, 32)
 * @param compression DenseNet-BC's theta, the fraction of channels a transition keeps (torchvision's 0.5)
 */
public record ArchitectureOptions(Integer growthRate, Float compression) {

	public static final ArchitectureOptions NONE = new ArchitectureOptions(null, null);

	@JsonIgnore
	public boolean isEmpty() {
		return growthRate == null && compression == null;
	}

	/** {@link #NONE} for null, so that callers need not check. */
	public static ArchitectureOptions orNone(ArchitectureOptions options) {
		return options == null ? NONE : options;
	}

}
