package dev.switchboard.protocol;

/** UTF-8 measurements of Java strings, shared by the validators. */
final class Utf8 {
    private Utf8() {
    }

    /**
     * The number of bytes {@code s} takes in UTF-8. A lone surrogate counts as 3 bytes, the size of the
     * U+FFFD replacement the encoder writes for it, so a string is never measured shorter than it is sent.
     */
    static int length(String s) {
        int n = s.length();
        int bytes = n;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                continue;
            }
            if (c < 0x800) {
                bytes += 1;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 2; // 4 bytes for the pair of 2 chars
                i++;
            } else {
                bytes += 2;
            }
        }
        return bytes;
    }

    /** True for U+0000–U+001F, U+007F and U+0080–U+009F, the control set of protocol.md §6.1. */
    static boolean isControl(char c) {
        return c <= 0x1F || (c >= 0x7F && c <= 0x9F);
    }

    /**
     * Whether {@code bytes[offset, offset+length)} is well-formed UTF-8 (RFC 3629): no stray continuation
     * bytes, no overlong forms, no UTF-16 surrogates, nothing above U+10FFFF, no truncated sequence. ASCII runs
     * take a fast path.
     */
    static boolean isWellFormed(byte[] bytes, int offset, int length) {
        int i = offset;
        int end = offset + length;
        while (i < end) {
            int b = bytes[i];
            if (b >= 0) {
                i++;
                continue;
            }
            int lead = b & 0xFF;
            int need;
            int min;
            if (lead >= 0xC2 && lead <= 0xDF) {
                need = 1;
                min = 0x80;
            } else if (lead >= 0xE0 && lead <= 0xEF) {
                need = 2;
                min = 0x800;
            } else if (lead >= 0xF0 && lead <= 0xF4) {
                need = 3;
                min = 0x10000;
            } else {
                return false; // continuation byte, C0/C1 overlong lead, F5..FF
            }
            if (end - i <= need) {
                return false;
            }
            int cp = lead & (0x3F >> need);
            for (int k = 1; k <= need; k++) {
                int c = bytes[i + k] & 0xFF;
                if ((c & 0xC0) != 0x80) {
                    return false;
                }
                cp = (cp << 6) | (c & 0x3F);
            }
            if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
                return false;
            }
            i += need + 1;
        }
        return true;
    }
}
