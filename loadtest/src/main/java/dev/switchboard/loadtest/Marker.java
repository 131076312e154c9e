package dev.switchboard.loadtest;

import dev.switchboard.loadtest.ws.WsConnection;
import dev.switchboard.loadtest.ws.WsFrames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.FastThreadLocal;
import java.nio.charset.StandardCharsets;

/**
 * The payload every scenario publishes, and the byte scanner that finds it in whatever envelope a server
 * delivers it in. The payload is a small JSON object whose first fields are fixed-width digits:
 * {@code {"@ts":"<15 digits>","@c":"<8 digits>","p":"…"}} (strings: JSON numbers may not have leading zeros) — the generator's monotonic send time (nanoseconds since
 * {@link #BASE}) and the publishing connection's id (so a server that echoes to the sender is not credited).
 * The scanner looks for {@code @ts} and tolerates a stringified envelope ({@code \"@ts\":}), which is how
 * Pusher-protocol servers may forward {@code data}.
 */
public final class Marker {
    /** Origin of the timestamps; all send and receive times come from one JVM's {@link System#nanoTime()}. */
    public static final long BASE = System.nanoTime();
    static final int TS_DIGITS = 15;
    static final int ID_DIGITS = 8;
    private static final String PAD = "abcdefghijklmnopqrstuvwxyz0123456789";
    /** Bytes from an '@' to the end of the id digits at most: @ts, punctuation, digits, @c, punctuation, digits. */
    private static final int WINDOW_BYTES = 72;
    private static final FastThreadLocal<byte[]> WINDOW = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[WINDOW_BYTES];
        }
    };

    private Marker() {
    }

    /** Nanoseconds since {@link #BASE}. */
    public static long now() {
        return System.nanoTime() - BASE;
    }

    /** The JSON data value published by every scenario, with zeroed digits. */
    public static String dataJson() {
        return "{\"@ts\":\"" + "0".repeat(TS_DIGITS) + "\",\"@c\":\"" + "0".repeat(ID_DIGITS) + "\",\"p\":\"" + PAD + "\"}";
    }

    /** Byte length of {@link #dataJson()}. */
    public static int dataLength() {
        return dataJson().length();
    }

    /**
     * Scans one inbound data frame and reports every marker found to {@code c}. Cost: one copy of the bytes
     * after each marker into a per-thread window and the digits read from that array (bounds-checked reads
     * through the buffer cost more than the copy), no allocation, and no search for the first marker when it
     * sits where it sat in the connection's previous frame ({@link WsConnection#markerOffset}: a server's
     * envelope around the same payload has the same length from message to message). Otherwise, and for
     * every further marker of a frame of a protocol that batches, one vectorised {@code indexOf('@')}.
     */
    public static void scan(ByteBuf payload, WsConnection c) {
        int start = payload.readerIndex();
        int end = payload.writerIndex();
        int i = start;
        byte[] w = WINDOW.get();
        int hinted = start + c.markerOffset;
        boolean first = true;
        boolean single = c.oneMessagePerFrame();
        while (true) {
            int at = hinted + 4 < end && payload.getByte(hinted) == '@' ? hinted : payload.indexOf(i, end, (byte) '@');
            hinted = end; // the hint is tried once per frame
            if (at < 0 || at + 4 >= end) {
                return;
            }
            i = at + 1;
            int len = Math.min(WINDOW_BYTES, end - at);
            payload.getBytes(at, w, 0, len);
            if (w[1] != 't' || w[2] != 's') {
                continue;
            }
            int p = skipPunctuation(w, 3, len);
            long ts = 0;
            int digits = 0;
            while (p < len && digits < TS_DIGITS + 4) {
                byte b = w[p];
                if (b < '0' || b > '9') {
                    break;
                }
                ts = ts * 10 + (b - '0');
                p++;
                digits++;
            }
            if (digits == 0) {
                continue;
            }
            if (first) {
                c.markerOffset = at - start;
                first = false;
            }
            int from = -1;
            int at2 = indexOf(w, p, Math.min(len, p + 16), (byte) '@');
            if (at2 > 0 && at2 + 2 < len && w[at2 + 1] == 'c') {
                int q = skipPunctuation(w, at2 + 2, len);
                int id = 0;
                int n = 0;
                while (q < len && n < ID_DIGITS + 2) {
                    byte b = w[q];
                    if (b < '0' || b > '9') {
                        break;
                    }
                    id = id * 10 + (b - '0');
                    q++;
                    n++;
                }
                if (n > 0) {
                    from = id;
                    p = q;
                }
            }
            i = at + p;
            c.delivered(ts, from);
            if (single) {
                return;
            }
        }
    }

    private static int indexOf(byte[] w, int from, int to, byte x) {
        for (int k = from; k < to; k++) {
            if (w[k] == x) {
                return k;
            }
        }
        return -1;
    }

    private static int skipPunctuation(byte[] w, int p, int len) {
        int limit = Math.min(len, p + 7);
        while (p < limit) {
            byte x = w[p];
            if (x == '"' || x == '\\' || x == ':' || x == ' ') {
                p++;
            } else {
                break;
            }
        }
        return p;
    }

    /**
     * A pre-encoded publish frame: protocol envelope + {@link #dataJson()}, with the offsets of the digits to
     * patch. {@link #frame} copies it into a new buffer and writes the time and id in place.
     */
    public static final class Template {
        private final byte[] bytes;
        private final int tsOffset;
        private final int idOffset;
        private final int opcode;

        public Template(byte[] prefix, byte[] suffix, int opcode) {
            byte[] data = dataJson().getBytes(StandardCharsets.US_ASCII);
            bytes = new byte[prefix.length + data.length + suffix.length];
            System.arraycopy(prefix, 0, bytes, 0, prefix.length);
            System.arraycopy(data, 0, bytes, prefix.length, data.length);
            System.arraycopy(suffix, 0, bytes, prefix.length + data.length, suffix.length);
            tsOffset = prefix.length + "{\"@ts\":\"".length();
            idOffset = tsOffset + TS_DIGITS + "\",\"@c\":\"".length();
            this.opcode = opcode;
        }

        public static Template text(String prefix, String suffix) {
            return new Template(prefix.getBytes(StandardCharsets.UTF_8), suffix.getBytes(StandardCharsets.UTF_8),
                    WsFrames.OP_TEXT);
        }

        /** A complete WebSocket frame stamped with {@code tsNanos} and {@code connectionId}. */
        public ByteBuf frame(ByteBufAllocator alloc, long tsNanos, int connectionId) {
            ByteBuf out = alloc.buffer(WsFrames.headerLength(bytes.length) + bytes.length);
            WsFrames.writeHeader(out, opcode, bytes.length);
            int base = out.writerIndex();
            out.writeBytes(bytes);
            digits(out, base + tsOffset, TS_DIGITS, tsNanos);
            digits(out, base + idOffset, ID_DIGITS, connectionId);
            return out;
        }

        private static void digits(ByteBuf out, int offset, int width, long value) {
            for (int i = width - 1; i >= 0; i--) {
                out.setByte(offset + i, (int) ('0' + value % 10));
                value /= 10;
            }
        }
    }
}
