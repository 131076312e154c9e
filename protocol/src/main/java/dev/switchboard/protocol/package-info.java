/**
 * The Metered Realtime Messaging wire protocol (spec/protocol.md, auth.md §5–§6): everything about
 * frames and names that both the server and the Java client need, with jackson-core as the only
 * dependency and Java 17 as the floor.
 *
 * <ul>
 *   <li>{@link dev.switchboard.protocol.FrameDecoder} turns one inbound text frame into a
 *       {@link dev.switchboard.protocol.ClientFrame} (sealed: subscribe, unsubscribe, publish, send, ping,
 *       or {@link dev.switchboard.protocol.Invalid} with the error to reply). It streams over the received
 *       bytes and keeps {@code data} as a {@link dev.switchboard.protocol.RawJson} slice of them, never
 *       re-serialised, and never throws.</li>
 *   <li>{@link dev.switchboard.protocol.ServerFrames} encodes the server's frames byte-exactly in a fixed
 *       field order, splicing raw {@code data} and metadata; one encode per fan-out variant.</li>
 *   <li>{@link dev.switchboard.protocol.Channels}, {@link dev.switchboard.protocol.PeerIds} and
 *       {@link dev.switchboard.protocol.Glob} hold the name rules and the channel-pattern syntax.</li>
 *   <li>{@link dev.switchboard.protocol.ErrorCode}, {@link dev.switchboard.protocol.CloseCode} and
 *       {@link dev.switchboard.protocol.Limits} declare the spec's codes and numbers once.</li>
 * </ul>
 *
 * <p>Permission checks, reserved-prefix refusal, rate limits and the payload cap are applied by the
 * session in {@code core}; this package only says what the bytes mean.
 */
package dev.switchboard.protocol;
