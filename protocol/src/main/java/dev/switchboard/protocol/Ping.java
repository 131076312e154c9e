package dev.switchboard.protocol;

/**
 * {@code ping} (protocol.md §4.5), answered with {@code pong} and nothing else. The decoder validates no
 * other field of a ping, so {@code requestId} is always null: a ping is never acked and never errors.
 */
public record Ping(String requestId) implements ClientFrame {
    /** The one ping value the decoder returns. */
    static final Ping INSTANCE = new Ping(null);
}
