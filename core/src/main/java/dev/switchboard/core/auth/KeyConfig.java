package dev.switchboard.core.auth;

import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One configured key (auth.md §1), as read from configuration or the admin API.
 *
 * <p>Configuration validation (not this record) must enforce: publishable ids start with {@code pk_live_}, secret
 * ids with {@code sk_id_} (Q36), and secrets are at least 32 bytes of UTF-8 — HS256 verification refuses shorter
 * secrets (RFC 7518 §3.2), so a secret key with a short secret can never admit a token.
 *
 * @param type            publishable or secret
 * @param id              the key id ({@code pk_live_…} / {@code sk_id_…}); unique across all apps
 * @param secret          the signing secret ({@code sk_secret_…}) for secret keys; {@code null} for publishable keys
 * @param channelPatterns glob patterns (auth.md §5) the key may touch
 * @param actions         the actions the key allows
 * @param allowedOrigins  exact origins checked against the WebSocket {@code Origin} header (publishable keys);
 *                        empty = no restriction
 * @param enabled         disabled (revoked) keys are rejected exactly like unknown keys
 * @param autoInjectTurn  sessions of this key get the app's TURN servers in {@code welcome.metadata.iceServers}
 *                        unless their JWT brings its own (auth.md §8); no effect for an app without TURN
 */
public record KeyConfig(KeyType type, String id, String secret, List<String> channelPatterns, Set<Action> actions,
                        List<String> allowedOrigins, boolean enabled, boolean autoInjectTurn) {

    /** A key that gets the app's TURN servers, if it has any. */
    public KeyConfig(KeyType type, String id, String secret, List<String> channelPatterns, Set<Action> actions,
                     List<String> allowedOrigins, boolean enabled) {
        this(type, id, secret, channelPatterns, actions, allowedOrigins, enabled, true);
    }

    /**
     * Makes immutable defensive copies ({@code actions} as an unmodifiable {@link EnumSet}); {@code null}
     * lists/sets become empty.
     *
     * @throws IllegalArgumentException if a secret key has no secret
     */
    public KeyConfig {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(id, "id");
        if (type == KeyType.SECRET && secret == null) {
            throw new IllegalArgumentException("secret key " + id + " has no secret");
        }
        channelPatterns = channelPatterns == null ? List.of() : List.copyOf(channelPatterns);
        actions = Collections.unmodifiableSet(enumSetOf(actions));
        allowedOrigins = allowedOrigins == null ? List.of() : List.copyOf(allowedOrigins);
    }

    /** A fresh EnumSet holding {@code actions} ({@code null} = none); shared with {@link Identity}. */
    static EnumSet<Action> enumSetOf(Set<Action> actions) {
        EnumSet<Action> copy = EnumSet.noneOf(Action.class);
        if (actions != null) {
            copy.addAll(actions);
        }
        return copy;
    }

    /** Never prints the secret. */
    @Override
    public String toString() {
        return "KeyConfig[type=" + type + ", id=" + id + ", channelPatterns=" + channelPatterns + ", actions="
                + actions + ", allowedOrigins=" + allowedOrigins + ", enabled=" + enabled + ", autoInjectTurn="
                + autoInjectTurn + "]";
    }
}
