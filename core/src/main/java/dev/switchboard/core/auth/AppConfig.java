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
 * @param channels  per-channel settings (history, replay, presence mode), first match wins; {@code null} = none
 */
public record AppConfig(String id, boolean suspended, AppLimits limits, List<KeyConfig> keys, TurnConfig turn,
                        List<ChannelRule> channels) {

    public AppConfig {
        Objects.requireNonNull(id, "id");
        limits = limits == null ? AppLimits.UNLIMITED : limits;
        keys = keys == null ? List.of() : List.copyOf(keys);
        channels = channels == null ? List.of() : List.copyOf(channels);
    }

    /** An app without channel settings. */
    public AppConfig(String id, boolean suspended, AppLimits limits, List<KeyConfig> keys, TurnConfig turn) {
        this(id, suspended, limits, keys, turn, null);
    }

    /** An app without TURN. */
    public AppConfig(String id, boolean suspended, AppLimits limits, List<KeyConfig> keys) {
        this(id, suspended, limits, keys, null);
    }
}
