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
 * @param turn      the ICE servers for the welcome of sessions whose key has {@code autoInjectTurn}: the app's
 *                  own {@code turn:} or else the top-level one; {@code null} = none
 */
public record AppConfig(String id, boolean suspended, AppLimits limits, List<KeyConfig> keys, TurnConfig turn) {

    public AppConfig {
        Objects.requireNonNull(id, "id");
        limits = limits == null ? AppLimits.UNLIMITED : limits;
        keys = keys == null ? List.of() : List.copyOf(keys);
    }

    /** An app without TURN. */
    public AppConfig(String id, boolean suspended, AppLimits limits, List<KeyConfig> keys) {
        this(id, suspended, limits, keys, null);
    }
}
