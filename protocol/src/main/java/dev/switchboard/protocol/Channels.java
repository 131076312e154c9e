package dev.switchboard.protocol;

/**
 * Channel-name rules of protocol.md §6.1–§6.2. A name is checked exactly as sent: no trimming, no case or
 * Unicode normalisation, because authorization and routing compare the same string byte for byte.
 */
public final class Channels {
    private static final String[] RESERVED_PREFIXES = {"_metered/", "_internal/", "_system/"};

    private Channels() {
    }

    /**
     * True iff {@code s} is a legal channel name or subscription string: 1–{@value Limits#MAX_CHANNEL_BYTES}
     * bytes of UTF-8 and no control character (U+0000–U+001F, U+007F, U+0080–U+009F). False for null.
     * The length is in UTF-8 bytes (open-questions.md Q21), not in chars as the SDK counts.
     */
    public static boolean isValidName(String s) {
        if (s == null || s.isEmpty() || s.length() > Limits.MAX_CHANNEL_BYTES) {
            // every char is at least one byte, so more chars than the byte cap can never fit
            return false;
        }
        return !hasControlChars(s) && Utf8.length(s) <= Limits.MAX_CHANNEL_BYTES;
    }

    /**
     * True iff {@code s} starts with {@code _metered/}, {@code _internal/} or {@code _system/}, compared with
     * ASCII case folding only ({@code _METERED/x} is reserved; a non-ASCII look-alike such as U+017F is not).
     * Callers validate the name first; false for null.
     */
    public static boolean isReserved(String s) {
        if (s == null) {
            return false;
        }
        for (String prefix : RESERVED_PREFIXES) {
            if (startsWithIgnoreAsciiCase(s, prefix)) {
                return true;
            }
        }
        return false;
    }

    /** True iff {@code s} contains a char in U+0000–U+001F, U+007F or U+0080–U+009F. False for null. */
    public static boolean hasControlChars(String s) {
        if (s == null) {
            return false;
        }
        for (int i = 0, n = s.length(); i < n; i++) {
            if (Utf8.isControl(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    /** {@code lowerPrefix} is lower-case ASCII. */
    private static boolean startsWithIgnoreAsciiCase(String s, String lowerPrefix) {
        int n = lowerPrefix.length();
        if (s.length() < n) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                c = (char) (c + ('a' - 'A'));
            }
            if (c != lowerPrefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
