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
}
