package dev.switchboard.redis;

import dev.switchboard.core.spi.Publication;
import dev.switchboard.protocol.RawJson;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The names and payloads of what travels through Redis. Payloads are fields separated by NUL bytes, which none
 * of them can contain (ids and channel names are printable; JSON has no raw control characters), with the JSON
 * body last, so a body is never copied on the way in: the receiving node wraps it where it lies. The presence
 * scripts build their delta payloads the same way in Lua.
 *
 * <pre>
 * M \0 id \0 origin \0 app \0 channel \0 from \0 fromMetadata-or-empty \0 data     a publication
 * F \0 …as M…                                                                      M, also sent on the app's feed
 * J \0 version \0 node \0 peer \0 metadata-or-empty                                  a member joined
 * L \0 version \0 node \0 peer \0                                                    a member left
 * D \0 origin \0 frame                                                               a direct frame for a peer
 * C \0 id \0 origin \0 request \0 app \0 channel \0 from \0 fromMetadata \0 data    a publication to count
 * G \0 …as C…                                                                      C, also sent on the app's feed
 * P \0 app \0 node \0 request                                                    a node holds pattern rooms now
 * A \0 request \0 delivered                                                          a subscription's answer to C
 * S \0 id \0 node \0 request-or-0 \0 app \0 channel \0 from \0 offset \0 epoch \0 fromMetadata \0 data
 *                                                   a publication appended to its channel's stream (by Lua)
 * T \0 …as S…                                                                      S, also sent on the app's feed
 * O \0 origin \0 request \0 channel                    a new connection of the peer elsewhere resumes channel
 * Q \0 request \0 offset-or-empty \0 epoch-or-empty                                  a node's answer to O
 * K \0 origin \0 request                                                             close a peer (4020)
 * R \0 request \0 closed                                                             a node's answer to K
 * </pre>
 *
 * <p>Names carry a hash tag ({@code {…}}), so that on a Redis Cluster everything of one room (its keys and its
 * channel), of one peer, of one node and of one app lives in one slot, and a script touches one slot only.
 */
final class Wire {
    static final byte MESSAGE = 'M';
    static final byte JOINED = 'J';
    static final byte LEFT = 'L';
    static final byte DIRECT = 'D';
    static final byte KICK = 'K';
    static final byte KICKED = 'R';
    static final byte COUNTED = 'C';
    static final byte ANSWER = 'A';
    static final byte MESSAGE_FED = 'F';
    static final byte COUNTED_FED = 'G';
    static final byte PATTERNS = 'P';
    static final byte TAKE_OVER = 'O';
    static final byte TAKEN_OVER = 'Q';
    static final byte STREAM_MESSAGE = 'S';
    static final byte STREAM_MESSAGE_FED = 'T';
    /** The cluster-wide keys of the nodes (one slot): heartbeats, reap marks, pattern holders, the epoch. */
    static final byte[] NODES = bytes("sb:{nodes}");
    static final byte[] REAPED = bytes("sb:{nodes}:reaped");
    static final byte[] PATTERN_HOLDERS = bytes("sb:{nodes}:patterns");
    static final byte[] EPOCH = bytes("sb:{nodes}:epoch");
    /** On a Redis Cluster, the classic channel every node listens on (pattern holders announce themselves). */
    static final byte[] ALL = bytes("sb:all");

    private Wire() {
    }

    // Keys and channels. App ids, room names and peer ids are joined with NUL, which none of them contains.

    /** The pub/sub channel of a room: its publications and its presence deltas. */
    static byte[] roomChannel(String app, String room) {
        return bytes("sb:c:{" + app + '\0' + room + '}');
    }

    /** The app and room of a {@link #roomChannel}, or null. */
    static String[] appRoom(String channel) {
        return split(channel, "sb:c:{");
    }

    /** The presence hash of a room: NODE\0PEER → JOINVERSION\0METADATA. */
    static byte[] presenceKey(String app, String room) {
        return bytes("sb:h:{" + app + '\0' + room + '}');
    }

    /** The presence version of a room, which only grows. */
    static byte[] versionKey(String app, String room) {
        return bytes("sb:v:{" + app + '\0' + room + '}');
    }

    /** The PSUBSCRIBE pattern for a pattern room: Redis's glob, coarser than ours, re-filtered on arrival. */
    static byte[] roomPattern(String app, dev.switchboard.protocol.Glob glob) {
        return bytes(escape("sb:c:{" + app + '\0') + glob.coarsen(Wire::escape, "*") + '}');
    }

    /** On a Redis Cluster, the classic channel where an app's publications also go while a node holds patterns. */
    static byte[] feedChannel(String app) {
        return bytes("sb:a:" + app);
    }

    /** Whether {@code channel} is an app's {@link #feedChannel}. */
    static boolean isFeed(byte[] channel) {
        return channel.length > 5 && channel[0] == 's' && channel[1] == 'b' && channel[2] == ':' && channel[3] == 'a'
                && channel[4] == ':';
    }

    /** Escapes Redis glob specials so {@code literal} matches only itself. */
    static String escape(String literal) {
        StringBuilder out = new StringBuilder(literal.length() + 4);
        for (int i = 0; i < literal.length(); i++) {
            char c = literal.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    /** A channel's stream: entries {@code OFFSET-1} → t (ms), f (from), m (fromMetadata or empty), d (data). */
    static byte[] streamKey(String app, String channel) {
        return bytes("sb:x:{" + app + '\0' + channel + '}');
    }

    /** A channel's stream's position: HASH epoch, offset (the newest's), ttl (ms, of the last append). */
    static byte[] streamMetaKey(String app, String channel) {
        return bytes("sb:s:{" + app + '\0' + channel + '}');
    }

    /** Where a peer's dropped connections stood in a channel's stream: LIST of OFFSET:EPOCH:EXPIRES. */
    static byte[] cursorKey(String app, String peerId, String channel) {
        return bytes("sb:k:{" + app + '\0' + peerId + "}:" + channel);
    }

    /** The pub/sub channel through which a peer's nodes receive its direct frames and kicks. */
    static byte[] peerChannel(String app, String peerId) {
        return bytes("sb:p:{" + app + '\0' + peerId + '}');
    }

    /** The app and peer of a {@link #peerChannel}, or null. */
    static String[] appPeer(String channel) {
        return split(channel, "sb:p:{");
    }

    /** The pub/sub channel of one node (answers to its kicks and counted publishes). */
    static byte[] nodeChannel(String nodeId) {
        return bytes("sb:n:{" + nodeId + '}');
    }

    /** APP\0ROOM of the rooms where a node has presence entries (to remove them when it dies). */
    static byte[] nodeRoomsKey(String nodeId) {
        return bytes("sb:nr:{" + nodeId + '}');
    }

    /** The apps a node holds connection counts of. */
    static byte[] nodeAppsKey(String nodeId) {
        return bytes("sb:na:{" + nodeId + '}');
    }

    /** An app's counter: {@code conn} (HASH node → connections), {@code peak}, {@code opened}, {@code msg}. */
    static byte[] appKey(String counter, String app) {
        return bytes("sb:" + counter + ":{" + app + '}');
    }

    private static String[] split(String channel, String prefix) {
        if (!channel.startsWith(prefix) || !channel.endsWith("}")) {
            return null;
        }
        String[] parts = channel.substring(prefix.length(), channel.length() - 1).split("\0", 2);
        return parts.length == 2 ? parts : null;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // Payloads.

    /** A publication; {@code fed} when it is also sent on the app's feed (Redis Cluster, pattern rooms). */
    static byte[] message(long id, String origin, Publication p, boolean fed) {
        return withBody(bytes((fed ? "F\0" : "M\0") + id + '\0' + origin + '\0' + p.app() + '\0' + p.channel()
                + '\0' + p.from() + '\0'), p);
    }

    static byte[] countedMessage(long id, String origin, long request, Publication p, boolean fed) {
        return withBody(bytes((fed ? "G\0" : "C\0") + id + '\0' + origin + '\0' + request + '\0' + p.app() + '\0'
                + p.channel() + '\0' + p.from() + '\0'), p);
    }

    /**
     * The fields of a stream publication before its position (type up to {@code from}), which the append script
     * completes with the offset and epoch it gives it, and the body; {@code fed} when it also goes to the app's
     * feed ({@link #streamMessageFed}).
     */
    static byte[] streamHead(long id, String node, long request, Publication p, boolean fed) {
        return bytes((fed ? "T\0" : "S\0") + id + '\0' + node + '\0' + request + '\0' + p.app() + '\0'
                + p.channel() + '\0' + p.from() + '\0');
    }

    /** A stream publication as the append script published it ({@code fed}), for the app's feed. */
    static byte[] streamMessageFed(long id, String node, long request, Publication p) {
        return withBody(bytes("T\0" + id + '\0' + node + '\0' + request + '\0' + p.app() + '\0' + p.channel()
                + '\0' + p.from() + '\0' + p.offset() + '\0' + p.epoch() + '\0'), p);
    }

    /** {@code json}'s bytes, or none. */
    static byte[] json(RawJson json) {
        return json == null ? new byte[0] : json.toByteArray();
    }

    /** {@code head}, then the publication's metadata (or nothing), NUL, and its data. */
    private static byte[] withBody(byte[] head, Publication p) {
        RawJson meta = p.fromMetadata();
        RawJson data = p.data();
        int metaLength = meta == null ? 0 : meta.length();
        byte[] out = Arrays.copyOf(head, head.length + metaLength + 1 + data.length());
        if (meta != null) {
            System.arraycopy(meta.array(), meta.offset(), out, head.length, metaLength);
        }
        out[head.length + metaLength] = 0;
        System.arraycopy(data.array(), data.offset(), out, head.length + metaLength + 1, data.length());
        return out;
    }

    static byte[] direct(String origin, byte[] frame) {
        byte[] head = bytes("D\0" + origin + '\0');
        byte[] out = Arrays.copyOf(head, head.length + frame.length);
        System.arraycopy(frame, 0, out, head.length, frame.length);
        return out;
    }

    /** The fields of a payload: the first {@code fields - 1} split at NUL, the last one the rest. */
    static Fields split(byte[] payload, int fields) {
        int[] starts = new int[fields + 1];
        int field = 0;
        starts[0] = 0;
        for (int i = 0; i < payload.length && field < fields - 1; i++) {
            if (payload[i] == 0) {
                starts[++field] = i + 1;
            }
        }
        if (field != fields - 1) {
            return null;
        }
        starts[fields] = payload.length + 1;
        return new Fields(payload, starts);
    }

    /** A payload's fields, by index; field 0 is the type. */
    record Fields(byte[] payload, int[] starts) {
        String text(int i) {
            return new String(payload, starts[i], length(i), StandardCharsets.UTF_8);
        }

        long number(int i) {
            return Long.parseLong(text(i));
        }

        /** Field {@code i} as JSON, or null if it is empty. */
        RawJson json(int i) {
            return length(i) == 0 ? null : RawJson.wrap(payload, starts[i], length(i));
        }

        byte[] copy(int i) {
            return Arrays.copyOfRange(payload, starts[i], starts[i] + length(i));
        }

        int length(int i) {
            return starts[i + 1] - 1 - starts[i];
        }
    }
}
