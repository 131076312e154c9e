package dev.switchboard.protocol;

import java.util.List;
import java.util.Objects;

/**
 * Encodes server → client frames (protocol.md §2.3, §5) as compact UTF-8 JSON with a fixed field order.
 * Each method returns a fresh array of exactly the frame's bytes, sized before writing, so a broadcast is
 * one allocation that every recipient can share ({@code message} is encoded once per fan-out variant).
 *
 * <p>A nullable parameter means "omit the field" (protocol.md §1.3: optional fields are left out, never
 * sent as {@code null}); the exception is {@code welcome.expiresAt}, which is always present and written
 * as {@code null} for publishable-key sessions because the SDK drops a welcome without it. {@link RawJson}
 * values must already be valid JSON and are copied verbatim; a {@code data} of JSON null is
 * {@link RawJson#NULL}, never a Java null. Required arguments that are null throw NullPointerException.
 */
public final class ServerFrames {
    private static final byte[] WELCOME = JsonWriter.ascii("{\"type\":\"welcome\",\"peerId\":");
    private static final byte[] EXPIRES_AT = JsonWriter.ascii(",\"expiresAt\":");
    private static final byte[] NULL = JsonWriter.ascii("null");
    private static final byte[] SERVER_TIME = JsonWriter.ascii(",\"serverTime\":");
    private static final byte[] MAX_MESSAGE_SIZE = JsonWriter.ascii(",\"maxMessageSize\":");
    private static final byte[] METADATA = JsonWriter.ascii(",\"metadata\":");
    private static final byte[] ACK = JsonWriter.ascii("{\"type\":\"ack\",\"requestId\":");
    private static final byte[] ERROR = JsonWriter.ascii("{\"type\":\"error\"");
    private static final byte[] REQUEST_ID = JsonWriter.ascii(",\"requestId\":");
    private static final byte[] CODE = JsonWriter.ascii(",\"code\":");
    private static final byte[] MESSAGE_FIELD = JsonWriter.ascii(",\"message\":");
    private static final byte[] MESSAGE = JsonWriter.ascii("{\"type\":\"message\",\"channel\":");
    private static final byte[] FROM = JsonWriter.ascii(",\"from\":");
    private static final byte[] DIRECT = JsonWriter.ascii("{\"type\":\"direct\",\"from\":");
    private static final byte[] DATA = JsonWriter.ascii(",\"data\":");
    private static final byte[] FROM_METADATA = JsonWriter.ascii(",\"fromMetadata\":");
    private static final byte[] PRESENCE = JsonWriter.ascii("{\"type\":\"presence\",\"channel\":");
    private static final byte[] JOINED = JsonWriter.ascii(",\"joined\":[");
    private static final byte[] LEFT = JsonWriter.ascii("],\"left\":[");
    private static final byte[] PEER_ID = JsonWriter.ascii("{\"peerId\":");
    private static final byte[] PRESENCE_END = JsonWriter.ascii("]}");
    private static final byte[] COUNT_END = JsonWriter.ascii("],\"count\":");
    private static final byte[] GOING_AWAY = JsonWriter.ascii("{\"type\":\"going_away\",\"retryAfterMs\":");
    private static final byte[] PONG = JsonWriter.ascii("{\"type\":\"pong\"}");
    private static final byte[] OFFSET = JsonWriter.ascii(",\"offset\":");
    private static final byte[] EPOCH = JsonWriter.ascii(",\"epoch\":");
    private static final byte[] RECOVERED = JsonWriter.ascii(",\"recovered\":");
    private static final byte[] TRUE = JsonWriter.ascii("true");
    private static final byte[] FALSE = JsonWriter.ascii("false");
    private static final byte[] COMMA = {','};
    private static final byte[] END = {'}'};

    private ServerFrames() {
    }

    /** One member in a {@code presence} frame: {@code {"peerId":…[,"metadata":…]}}; metadata null = none. */
    public record PresencePeer(String peerId, RawJson metadata) {
        public PresencePeer {
            Objects.requireNonNull(peerId, "peerId");
        }
    }

    /**
     * {@code {"type":"welcome","peerId":…,"expiresAt":…|null,"serverTime":…,"maxMessageSize":…[,"metadata":…]}}.
     *
     * @param expiresAt JWT {@code exp} in Unix seconds, or null for a session that never expires
     * @param metadata  connection-private metadata object, or null to omit
     */
    public static byte[] welcome(String peerId, Long expiresAt, long serverTime, int maxMessageSize,
            RawJson metadata) {
        int size = WELCOME.length + JsonWriter.stringSize(peerId)
                + EXPIRES_AT.length + (expiresAt == null ? NULL.length : JsonWriter.longSize(expiresAt))
                + SERVER_TIME.length + JsonWriter.longSize(serverTime)
                + MAX_MESSAGE_SIZE.length + JsonWriter.longSize(maxMessageSize)
                + (metadata == null ? 0 : METADATA.length + metadata.length()) + END.length;
        JsonWriter w = new JsonWriter(size).raw(WELCOME).string(peerId).raw(EXPIRES_AT);
        if (expiresAt == null) {
            w.raw(NULL);
        } else {
            w.number(expiresAt);
        }
        w.raw(SERVER_TIME).number(serverTime).raw(MAX_MESSAGE_SIZE).number(maxMessageSize);
        if (metadata != null) {
            w.raw(METADATA).raw(metadata);
        }
        return w.raw(END).finish();
    }

    /** {@code {"type":"ack","requestId":…}}. */
    public static byte[] ack(String requestId) {
        return new JsonWriter(ACK.length + JsonWriter.stringSize(requestId) + END.length)
                .raw(ACK).string(requestId).raw(END).finish();
    }

    /**
     * {@code {"type":"ack","requestId":…,"offset":…,"epoch":…[,"recovered":…]}}: the ack of a subscribe to a
     * channel with history (docs/decisions.md D14), giving the stream position the subscriber is at once the
     * messages replayed after the ack have arrived, and, when the subscribe resumed from an earlier position,
     * whether every message since that position could be delivered. The official SDK reads only
     * {@code requestId}.
     *
     * @param recovered null when the subscribe did not resume from anywhere
     */
    public static byte[] ack(String requestId, long offset, String epoch, Boolean recovered) {
        int size = ACK.length + JsonWriter.stringSize(requestId) + OFFSET.length + JsonWriter.longSize(offset)
                + EPOCH.length + JsonWriter.stringSize(epoch)
                + (recovered == null ? 0 : RECOVERED.length + (recovered ? TRUE : FALSE).length) + END.length;
        JsonWriter w = new JsonWriter(size).raw(ACK).string(requestId).raw(OFFSET).number(offset)
                .raw(EPOCH).string(epoch);
        if (recovered != null) {
            w.raw(RECOVERED).raw(recovered ? TRUE : FALSE);
        }
        return w.raw(END).finish();
    }

    /** {@code {"type":"error"[,"requestId":…],"code":…[,"message":…]}}; requestId and message nullable. */
    public static byte[] error(ErrorCode code, String requestId, String message) {
        String wire = code.wire();
        int size = ERROR.length
                + (requestId == null ? 0 : REQUEST_ID.length + JsonWriter.stringSize(requestId))
                + CODE.length + JsonWriter.stringSize(wire)
                + (message == null ? 0 : MESSAGE_FIELD.length + JsonWriter.stringSize(message)) + END.length;
        JsonWriter w = new JsonWriter(size).raw(ERROR);
        if (requestId != null) {
            w.raw(REQUEST_ID).string(requestId);
        }
        w.raw(CODE).string(wire);
        if (message != null) {
            w.raw(MESSAGE_FIELD).string(message);
        }
        return w.raw(END).finish();
    }

    /**
     * {@code {"type":"message","channel":…,"from":…,"data":…[,"fromMetadata":…]}}. {@code channel} is the
     * concrete channel published to, also for pattern subscribers (protocol.md §5.3).
     */
    public static byte[] message(String channel, String from, RawJson data, RawJson fromMetadata) {
        return message(channel, from, data, fromMetadata, -1, null);
    }

    /**
     * A message of a channel with history: as {@link #message(String, String, RawJson, RawJson)} followed by
     * {@code "offset":…,"epoch":…}, its position in the channel's stream (docs/decisions.md D14; the official
     * SDK ignores both). {@code epoch} null (or a negative offset) omits them.
     */
    public static byte[] message(String channel, String from, RawJson data, RawJson fromMetadata, long offset,
            String epoch) {
        boolean positioned = epoch != null && offset >= 0;
        int size = MESSAGE.length + JsonWriter.stringSize(channel) + FROM.length + JsonWriter.stringSize(from)
                + DATA.length + data.length()
                + (fromMetadata == null ? 0 : FROM_METADATA.length + fromMetadata.length())
                + (positioned ? OFFSET.length + JsonWriter.longSize(offset) + EPOCH.length
                        + JsonWriter.stringSize(epoch) : 0)
                + END.length;
        JsonWriter w = new JsonWriter(size).raw(MESSAGE).string(channel).raw(FROM).string(from)
                .raw(DATA).raw(data);
        if (fromMetadata != null) {
            w.raw(FROM_METADATA).raw(fromMetadata);
        }
        if (positioned) {
            w.raw(OFFSET).number(offset).raw(EPOCH).string(epoch);
        }
        return w.raw(END).finish();
    }

    /** {@code {"type":"direct","from":…,"data":…[,"fromMetadata":…]}}. */
    public static byte[] direct(String from, RawJson data, RawJson fromMetadata) {
        int size = DIRECT.length + JsonWriter.stringSize(from) + DATA.length + data.length()
                + (fromMetadata == null ? 0 : FROM_METADATA.length + fromMetadata.length()) + END.length;
        JsonWriter w = new JsonWriter(size).raw(DIRECT).string(from).raw(DATA).raw(data);
        if (fromMetadata != null) {
            w.raw(FROM_METADATA).raw(fromMetadata);
        }
        return w.raw(END).finish();
    }

    /**
     * {@code {"type":"presence","channel":…,"joined":[…],"left":[…]}}: both arrays always present, possibly
     * empty (protocol.md §1.3); a snapshot is a presence frame with an empty {@code left}.
     */
    public static byte[] presence(String channel, List<PresencePeer> joined, List<PresencePeer> left) {
        int size = PRESENCE.length + JsonWriter.stringSize(channel) + JOINED.length + peersSize(joined)
                + LEFT.length + peersSize(left) + PRESENCE_END.length;
        JsonWriter w = new JsonWriter(size).raw(PRESENCE).string(channel).raw(JOINED);
        writePeers(w, joined);
        w.raw(LEFT);
        writePeers(w, left);
        return w.raw(PRESENCE_END).finish();
    }

    /**
     * {@code {"type":"presence","channel":…,"joined":[],"left":[],"count":…}}: a channel's member count, in place
     * of per-peer presence in a channel whose presence mode is {@code count} (docs/decisions.md D15). To the
     * official SDK it is a presence frame that changes nothing.
     */
    public static byte[] presenceCount(String channel, int count) {
        int size = PRESENCE.length + JsonWriter.stringSize(channel) + JOINED.length + LEFT.length
                + COUNT_END.length + JsonWriter.longSize(count) + END.length;
        return new JsonWriter(size).raw(PRESENCE).string(channel).raw(JOINED).raw(LEFT).raw(COUNT_END).number(count)
                .raw(END).finish();
    }

    /** {@code {"type":"going_away","retryAfterMs":…}}, sent before the 1001 close of a graceful shutdown. */
    public static byte[] goingAway(int retryAfterMs) {
        return new JsonWriter(GOING_AWAY.length + JsonWriter.longSize(retryAfterMs) + END.length)
                .raw(GOING_AWAY).number(retryAfterMs).raw(END).finish();
    }

    /** {@code {"type":"pong"}}; a fresh copy each call, so callers may hand it to a transport that owns it. */
    public static byte[] pong() {
        return PONG.clone();
    }

    /** The bytes {@code peer} adds to a presence frame's array, its separating comma included. */
    public static int presenceEntryBytes(PresencePeer peer) {
        return COMMA.length + PEER_ID.length + JsonWriter.stringSize(peer.peerId())
                + (peer.metadata() == null ? 0 : METADATA.length + peer.metadata().length()) + END.length;
    }

    /** Where the first entry of {@code joined} starts in a presence frame of {@code channel}. */
    public static int presenceJoinedStart(String channel) {
        return PRESENCE.length + JsonWriter.stringSize(channel) + JOINED.length;
    }

    /** The bytes of a presence frame of {@code channel} with both arrays empty. */
    public static int presenceEnvelopeBytes(String channel) {
        return PRESENCE.length + JsonWriter.stringSize(channel) + JOINED.length + LEFT.length + PRESENCE_END.length;
    }

    private static int peersSize(List<PresencePeer> peers) {
        int size = Math.max(0, peers.size() - 1) * COMMA.length;
        for (PresencePeer peer : peers) {
            size += PEER_ID.length + JsonWriter.stringSize(peer.peerId())
                    + (peer.metadata() == null ? 0 : METADATA.length + peer.metadata().length()) + END.length;
        }
        return size;
    }

    private static void writePeers(JsonWriter w, List<PresencePeer> peers) {
        boolean first = true;
        for (PresencePeer peer : peers) {
            if (!first) {
                w.raw(COMMA);
            }
            first = false;
            w.raw(PEER_ID).string(peer.peerId());
            if (peer.metadata() != null) {
                w.raw(METADATA).raw(peer.metadata());
            }
            w.raw(END);
        }
    }
}
