package dev.switchboard.loadtest.peer;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/** Byte-level checks the protocol state machines use instead of parsing JSON. */
final class Bytes {
    private Bytes() {
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static boolean startsWith(ByteBuf buf, byte[] prefix) {
        if (buf.readableBytes() < prefix.length) {
            return false;
        }
        int r = buf.readerIndex();
        for (int i = 0; i < prefix.length; i++) {
            if (buf.getByte(r + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code needle} occurs within the first {@code maxScan} bytes of {@code buf}. */
    static boolean contains(ByteBuf buf, byte[] needle, int maxScan) {
        return indexOf(buf, needle, maxScan) >= 0;
    }

    /** Absolute index of {@code needle} within the first {@code maxScan} readable bytes, or -1. */
    static int indexOf(ByteBuf buf, byte[] needle, int maxScan) {
        int start = buf.readerIndex();
        int end = Math.min(buf.writerIndex(), start + maxScan);
        int i = start;
        while (i + needle.length <= end) {
            int at = buf.indexOf(i, end, needle[0]);
            if (at < 0 || at + needle.length > end) {
                return -1;
            }
            boolean match = true;
            for (int k = 1; k < needle.length; k++) {
                if (buf.getByte(at + k) != needle[k]) {
                    match = false;
                    break;
                }
            }
            if (match) {
                return at;
            }
            i = at + 1;
        }
        return -1;
    }

    /** Counts non-overlapping occurrences of {@code needle} in the whole readable region. */
    static int count(ByteBuf buf, byte[] needle) {
        int n = 0;
        int i = buf.readerIndex();
        int end = buf.writerIndex();
        while (i + needle.length <= end) {
            int at = buf.indexOf(i, end, needle[0]);
            if (at < 0 || at + needle.length > end) {
                return n;
            }
            boolean match = true;
            for (int k = 1; k < needle.length; k++) {
                if (buf.getByte(at + k) != needle[k]) {
                    match = false;
                    break;
                }
            }
            if (match) {
                n++;
                i = at + needle.length;
            } else {
                i = at + 1;
            }
        }
        return n;
    }

    static String text(ByteBuf buf, int max) {
        return buf.toString(buf.readerIndex(), Math.min(max, buf.readableBytes()), StandardCharsets.UTF_8);
    }
}
