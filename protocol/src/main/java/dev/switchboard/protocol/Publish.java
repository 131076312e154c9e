package dev.switchboard.protocol;

/**
 * {@code publish} (protocol.md §4.3). {@code data} is the exact bytes of the value as received (a view into
 * the decoded frame's array, possibly {@code null} JSON), spliced unchanged into the outgoing
 * {@code message} frames; its {@link RawJson#length()} is what the 1009 payload cap (§13.1) measures.
 */
public record Publish(String channel, RawJson data, String requestId) implements ClientFrame {
}
