package dev.switchboard.core;

import dev.switchboard.protocol.RawJson;
import dev.switchboard.protocol.ServerFrames;

/**
 * One channel broadcast being handed to its recipients. The outgoing {@code message} frame is encoded at most
 * once per variant — without and with {@code fromMetadata} — and the same bytes go to every recipient of that
 * variant; nothing is encoded per recipient.
 */
final class Fanout {
    private final String channel;
    private final String from;
    private final RawJson data;
    private final RawJson fromMetadata;
    private byte[] plain;
    private byte[] withMetadata;
    private int delivered;
    /** The first recipient found with a backlog over {@link Outbox#BACKLOG_HIGH_BYTES}, or null. */
    private Session behind;

    Fanout(String channel, String from, RawJson data, RawJson fromMetadata) {
        this.channel = channel;
        this.from = from;
        this.data = data;
        this.fromMetadata = fromMetadata;
    }

    /** Enqueues the message for {@code recipient}, with the sender's metadata if it asked for it. */
    void deliver(Session recipient, boolean wantsMetadata) {
        recipient.deliver(wantsMetadata && fromMetadata != null ? withMetadata() : plain());
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

    private byte[] plain() {
        if (plain == null) {
            plain = ServerFrames.message(channel, from, data, null);
        }
        return plain;
    }

    private byte[] withMetadata() {
        if (withMetadata == null) {
            withMetadata = ServerFrames.message(channel, from, data, fromMetadata);
        }
        return withMetadata;
    }
}
