package dev.switchboard.core.spi;

import dev.switchboard.protocol.RawJson;

/**
 * A channel message on its way between nodes: what a {@code message} frame is made of, before it is encoded for
 * recipients. {@code data} and {@code fromMetadata} are the JSON bytes as the publisher sent them (never parsed
 * again); each receiving node encodes the outgoing frames itself, once per variant, like the node of the sender.
 *
 * @param app the app the channel belongs to
 * @param channel the channel published to (never a pattern)
 * @param from the sender's peerId, or the REST publisher's {@code from}
 * @param data the message body
 * @param fromMetadata the sender's metadata, or null
 */
public record Publication(String app, String channel, String from, RawJson data, RawJson fromMetadata) {
}
