package dev.switchboard.core;

import dev.switchboard.protocol.RawJson;
import dev.switchboard.protocol.ServerFrames;

/**
 * One channel broadcast being handed to its recipients. The outgoing {@code message} frame is encoded at most
 * once per variant — without and with {@code fromMetadata} — and the same bytes go to every recipient of that
 * variant; nothing is encoded per recipient. A message of a channel with history carries its stream position
 * ({@code offset}, {@code epoch}) and goes out as one shared {@link Outbox.StreamMessage} per variant.
 */
final class Fanout {
    private final String channel;
    private final String from;
    private final RawJson data;
    private final RawJson fromMetadata;
    /** The channel's stream if it has history, else null. */
    private final History.Stream stream;
    private final long offset;
    private Object plain;
    private Object withMetadata;
    private int delivered;
    /** The first recipient found with a backlog over {@link Outbox#BACKLOG_HIGH_BYTES}, or null. */
    private Session behind;

    Fanout(String channel, String from, RawJson data, RawJson fromMetadata) {
        this(channel, from, data, fromMetadata, null, 0);
    }

    Fanout(String channel, String from, RawJson data, RawJson fromMetadata, History.Stream stream, long offset) {
        this.channel = channel;
        this.from = from;
        this.data = data;
        this.fromMetadata = fromMetadata;
        this.stream = stream;
        this.offset = offset;
    }

    /** Enqueues the message for {@code recipient}, with the sender's metadata if it asked for it. */
    void deliver(Session recipient, boolean wantsMetadata) {
        Object frame = wantsMetadata && fromMetadata != null ? withMetadata() : plain();
        if (frame instanceof byte[] bytes) {
            recipient.deliver(bytes);
        } else {
            recipient.deliver((Outbox.StreamMessage) frame);
        }
        delivered++;
        if (behind == null && recipient.backlogBytes() > Outbox.BACKLOG_HIGH_BYTES) {
            behind = recipient;
        }
    }

    /** Recipients the message was handed to so far. */
    int delivered() {
        return delivered;
    }

    /** A recipient whose I/O thread is behind on its frames (see {@link Outbox#backlogBytes}), or null. */
    Session behind() {
        return behind;
    }

    private Object plain() {
        if (plain == null) {
            plain = encode(null);
        }
        return plain;
    }

    private Object withMetadata() {
        if (withMetadata == null) {
            withMetadata = encode(fromMetadata);
        }
        return withMetadata;
    }

    private Object encode(RawJson metadata) {
        if (stream == null) {
            return ServerFrames.message(channel, from, data, metadata);
        }
        return new Outbox.StreamMessage(ServerFrames.message(channel, from, data, metadata, offset, stream.epoch),
                stream, offset);
    }
}
