package io.deepserve.nn;

/**
 * A shape option an architecture takes as a training hyperparameter of the same name (and keeps in its versions'
 * {@code architectureOptions}).
 *
 * @param name the hyperparameter, e.g. {@code growthRate}
 * @param defaultValue the value when it is left out, which gives torchvision's network
 * @param minimum the smallest value allowed; {@code minimumExclusive} when the minimum itself is not
 * @param maximum the largest value allowed
 * @param description one line on what it changes
 */
public record ArchitectureOption(String name, Number defaultValue, Number minimum, boolean minimumExclusive,
		Number maximum, String description) {
}
