package dev.switchboard.protocol;

import java.nio.charset.StandardCharsets;

/**
 * Writes compact UTF-8 JSON into a byte array of a size computed up front, so an encode is one allocation
 * and no copy: callers add up {@link #stringSize}, {@link #longSize}, constant and raw lengths, then write
 * exactly that many bytes and {@link #finish()}. Used only by {@link ServerFrames}, on the fan-out hot path.
 *
 * <p>Strings are escaped as JSON requires (quote, backslash, and U+0000–U+001F, the latter in the short
 * two-char forms where JSON has them and as backslash-u00XX otherwise); everything else is written as UTF-8, with a lone surrogate
 * replaced by U+FFFD so the output is always valid UTF-8.
 */
final class JsonWriter {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    /** For ASCII chars: 0 = written as is, otherwise the char after the backslash ('u' = &#92;u00XX). */
    private static final byte[] ESCAPE = new byte[128];

    static {
        for (int c = 0; c < 0x20; c++) {
            ESCAPE[c] = 'u';
        }
        ESCAPE['\b'] = 'b';
        ESCAPE['\f'] = 'f';
        ESCAPE['\n'] = 'n';
        ESCAPE['\r'] = 'r';
        ESCAPE['\t'] = 't';
        ESCAPE['"'] = '"';
        ESCAPE['\\'] = '\\';
    }

    private final byte[] buf;
    private int pos;

    JsonWriter(int size) {
        this.buf = new byte[size];
    }

    /** Bytes of ASCII text, for the constant parts of frames. */
    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Exact number of bytes {@link #string} writes for {@code s}, quotes included. */
    static int stringSize(String s) {
        int n = s.length();
        int size = n + 2;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                byte e = ESCAPE[c];
                if (e != 0) {
                    size += e == 'u' ? 5 : 1;
                }
            } else if (c < 0x800) {
                size += 1;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                size += 2; // two chars, four bytes
                i++;
            } else {
                size += 2; // three bytes, also for a lone surrogate's U+FFFD
            }
        }
        return size;
    }

    /** Exact number of bytes {@link #number} writes for {@code v}. */
    static int longSize(long v) {
        if (v < 0) {
            return v == Long.MIN_VALUE ? 20 : 1 + longSize(-v);
        }
        int size = 1;
        while (v >= 10) {
            v /= 10;
            size++;
        }
        return size;
    }

    JsonWriter raw(byte[] bytes) {
        System.arraycopy(bytes, 0, buf, pos, bytes.length);
        pos += bytes.length;
        return this;
    }

    JsonWriter raw(RawJson json) {
        System.arraycopy(json.array(), json.offset(), buf, pos, json.length());
        pos += json.length();
        return this;
    }

    JsonWriter number(long v) {
        if (v < 0) {
            if (v == Long.MIN_VALUE) {
                return raw(ascii(Long.toString(v)));
            }
            buf[pos++] = '-';
            v = -v;
        }
        int end = pos + longSize(v);
        int p = end;
        do {
            buf[--p] = (byte) ('0' + (int) (v % 10));
            v /= 10;
        } while (v != 0);
        pos = end;
        return this;
    }

    /** A quoted, escaped JSON string. */
    JsonWriter string(String s) {
        byte[] b = buf;
        int p = pos;
        b[p++] = '"';
        int n = s.length();
        int i = 0;
        // fast path: plain ASCII, the shape of nearly every channel, peerId and requestId
        for (; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80 || ESCAPE[c] != 0) {
                break;
            }
            b[p++] = (byte) c;
        }
        for (; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                byte e = ESCAPE[c];
                if (e == 0) {
                    b[p++] = (byte) c;
                } else {
                    b[p++] = '\\';
                    b[p++] = e;
                    if (e == 'u') {
                        b[p++] = '0';
                        b[p++] = '0';
                        b[p++] = HEX[c >> 4];
                        b[p++] = HEX[c & 0xF];
                    }
                }
            } else if (c < 0x800) {
                b[p++] = (byte) (0xC0 | (c >> 6));
                b[p++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isSurrogate(c)) {
                int cp = 0xFFFD;
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    cp = Character.toCodePoint(c, s.charAt(++i));
                }
                if (cp > 0xFFFF) {
                    b[p++] = (byte) (0xF0 | (cp >> 18));
                    b[p++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                } else {
                    b[p++] = (byte) (0xE0 | (cp >> 12));
                }
                b[p++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                b[p++] = (byte) (0x80 | (cp & 0x3F));
            } else {
                b[p++] = (byte) (0xE0 | (c >> 12));
                b[p++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                b[p++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        b[p++] = '"';
        pos = p;
        return this;
    }

    /** The written array; throws if fewer or more bytes were written than were sized for (a sizing bug). */
    byte[] finish() {
        if (pos != buf.length) {
            throw new IllegalStateException("wrote " + pos + " bytes into a frame sized " + buf.length);
        }
        return buf;
    }
}
