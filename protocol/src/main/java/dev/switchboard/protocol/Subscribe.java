package dev.switchboard.protocol;

/**
 * {@code subscribe} (protocol.md §4.1). {@code channel} is a valid name or pattern ({@link Channels#isValidName});
 * reserved prefixes and permissions are checked by the session, not the decoder.
 *
 * @param includeSenderMetadata true only when the frame carried exactly {@code true}
 */
public record Subscribe(String channel, boolean includeSenderMetadata, String requestId) implements ClientFrame {
}
