package dev.switchboard.protocol;

/**
 * A frame the decoder refused (protocol.md §3.4, §4): answer with
 * {@code error {code, requestId?, message}} and keep the connection open.
 *
 * @param code      the stable error code to send
 * @param requestId the frame's requestId, only when a valid one was present; null otherwise
 * @param message   short human-readable text for the error frame's {@code message}
 */
public record Invalid(ErrorCode code, String requestId, String message) implements ClientFrame {
}
