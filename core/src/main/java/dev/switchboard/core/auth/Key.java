package dev.switchboard.core.auth;

import java.util.Objects;

/**
 * A configured key resolved against its app, with its channel patterns compiled once.
 *
 * @param app    the app (tenant) the key belongs to
 * @param config the key's configuration
 * @param grants {@code Grants.of(config.channelPatterns(), null)}: the key's own grant, before any token narrowing
 */
public record Key(AppConfig app, KeyConfig config, Grants grants) {

    public Key {
        Objects.requireNonNull(app, "app");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(grants, "grants");
    }

    /** Resolves {@code config} within {@code app}, compiling its patterns. */
    static Key of(AppConfig app, KeyConfig config) {
        return new Key(app, config, Grants.of(config.channelPatterns(), null));
    }
}
