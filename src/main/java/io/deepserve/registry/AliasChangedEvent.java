package io.deepserve.registry;

/** Published after an alias has moved ({@code toVersion} is null when the alias was deleted). */
public record AliasChangedEvent(String name, String alias, Integer fromVersion, Integer toVersion) {
}
