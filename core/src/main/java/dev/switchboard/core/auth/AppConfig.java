package dev.switchboard.core.auth;

import java.util.List;
import java.util.Objects;

/**
 * One app (tenant) with its keys (auth.md §1).
 *
 * @param id        the app id; channels, peerIds, presence and quotas are scoped to it
 * @param suspended a suspended app's connections are refused with 4012 (checked by the caller of
 *                  {@link Authenticator}, not by it)
 * @param limits    quotas; {@code null} becomes {@link AppLimits#UNLIMITED}
 * @param keys      the app's keys; {@code null} becomes empty
 */
public record AppConfig(String id, boolean suspended, AppLimits limits, List<KeyConfig> keys) {

    public AppConfig {
        Objects.requireNonNull(id, "id");
        limits = limits == null ? AppLimits.UNLIMITED : limits;
        keys = keys == null ? List.of() : List.copyOf(keys);
    }
}
