package dev.switchboard.protocol;

/**
 * {@code send} (protocol.md §4.4): a direct message to every other connection of peerId {@code to}.
 * {@code data} is the value's original bytes, as for {@link Publish}.
 */
public record Send(String to, RawJson data, String requestId) implements ClientFrame {
}
