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
 * @param offset its offset in the channel's stream ({@link Streams}); 0 for a channel without history
 * @param epoch the stream's epoch, or null for a channel without history
 */
public record Publication(String app, String channel, String from, RawJson data, RawJson fromMetadata, long offset,
                          String epoch) {

    /** A publication of a channel without history. */
    public Publication(String app, String channel, String from, RawJson data, RawJson fromMetadata) {
        this(app, channel, from, data, fromMetadata, 0, null);
    }

    /** Whether it was appended to its channel's stream (it carries {@link #offset} and {@link #epoch}). */
    public boolean inStream() {
        return epoch != null;
    }

    /** This publication at {@code offset} of the stream of epoch {@code epoch}. */
    public Publication at(long offset, String epoch) {
        return new Publication(app, channel, from, data, fromMetadata, offset, epoch);
    }
}
