package io.deepserve.nn;

/**
 * A named group of an image classifier's top-level layers, such as ResNet's {@code layer4}: the unit in which a
 * transfer job fine-tunes ({@code trainableStages}) and cuts ({@code cutAt}) a base.
 *
 * @param name the stage's name in the API
 * @param from the index of its first top-level layer
 * @param to one past the index of its last top-level layer
 */
public record Stage(String name, int from, int to) {
}
