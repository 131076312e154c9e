package dev.switchboard.protocol;

/** {@code unsubscribe} (protocol.md §4.2); {@code channel} is a valid name or pattern string. */
public record Unsubscribe(String channel, String requestId) implements ClientFrame {
}
