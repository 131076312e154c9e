package dev.switchboard.protocol;

import static org.assertj.core.api.Assertions.assertThat;

/** What must hold for any pattern and channel, shared by the fuzz test and the CI property test. */
final class GlobInvariants {
    static final String PATTERN_ALPHABET = "ab/*\\*c";
    static final String CHANNEL_ALPHABET = "ab/*\\c";

    private GlobInvariants() {
    }

    /** Maps arbitrary text onto a small alphabet so that stars, slashes and escapes meet often. */
    static String restrict(String s, String alphabet) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            sb.append(alphabet.charAt(Math.floorMod(s.charAt(i), alphabet.length())));
        }
        return sb.toString();
    }

    /**
     * Agreement with {@link ReferenceGlob} on the short inputs it can afford, then a long version of the
     * same shapes (pattern repeated to ~64 chars, channel to 256): backtracking would take astronomically
     * long there, the compiled matcher microseconds, so a generous wall-clock bound detects blow-ups.
     */
    static void check(String pattern, String channel) {
        Glob glob = Glob.compile(pattern);
        assertThat(glob.matches(channel)).as("pattern %s channel %s", pattern, channel)
                .isEqualTo(ReferenceGlob.matches(pattern, channel));

        String longPattern = pattern.isEmpty() ? "*" : pattern.repeat(Math.max(1, 64 / pattern.length()));
        String longChannel = channel.isEmpty() ? "a".repeat(256) : channel.repeat(256 / channel.length() + 1)
                .substring(0, 256);
        Glob hostile = Glob.compile(longPattern);
        long start = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            hostile.matches(longChannel);
        }
        assertThat((System.nanoTime() - start) / 1_000_000).as("ms for %s", longPattern).isLessThan(500);
    }
}
