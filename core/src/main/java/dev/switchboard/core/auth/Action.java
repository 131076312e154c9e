package dev.switchboard.core.auth;

import java.util.Optional;

/**
 * What a session may do (auth.md §4). Each action gates one family of frames or endpoints; {@code unsubscribe}
 * and {@code ping} need none.
 */
public enum Action {
    /** WS {@code subscribe}. */
    SUBSCRIBE("subscribe"),
    /** WS {@code publish} and REST {@code POST /v1/channels/:id/publish}. */
    PUBLISH("publish"),
    /** Receiving presence snapshots/deltas and REST {@code GET /v1/channels/:id/peers}. */
    PRESENCE("presence"),
    /** WS {@code send} (direct messages). */
    SEND("send");

    private final String wire;

    Action(String wire) {
        this.wire = wire;
    }

    /** The lower-case name used in configuration, token {@code permissions} and the REST API. */
    public String wire() {
        return wire;
    }

    /**
     * The action with exactly this wire name (case-sensitive), or empty for anything else — token
     * {@code permissions} ignore unknown names (auth.md §3.1), so an unknown name is not an error here.
     */
    public static Optional<Action> fromWire(String name) {
        if (name == null) {
            return Optional.empty();
        }
        return switch (name) {
            case "subscribe" -> Optional.of(SUBSCRIBE);
            case "publish" -> Optional.of(PUBLISH);
            case "presence" -> Optional.of(PRESENCE);
            case "send" -> Optional.of(SEND);
            default -> Optional.empty();
        };
    }
}
