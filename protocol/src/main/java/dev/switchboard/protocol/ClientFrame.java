package dev.switchboard.protocol;

/**
 * One decoded client → server frame (protocol.md §4). {@link FrameDecoder} yields exactly one per text
 * frame; a frame it refused is an {@link Invalid} carrying the error to answer with, so callers handle
 * every outcome with one exhaustive switch.
 */
public sealed interface ClientFrame permits Subscribe, Unsubscribe, Publish, Send, Ping, Invalid {
    /**
     * The frame's valid {@code requestId} to echo in the {@code ack} or {@code error}, or null when the
     * frame had none (then success is silent and a failure is answered without one).
     */
    String requestId();
}
