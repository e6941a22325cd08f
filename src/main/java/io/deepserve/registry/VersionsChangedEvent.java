package io.deepserve.registry;

/**
 * Published after a version of {@code name} was registered or deleted ({@code deletedVersion} names the deleted one,
 * null after a registration), so what a bare model name resolves to may have changed.
 */
public record VersionsChangedEvent(String name, Integer deletedVersion) {
}
