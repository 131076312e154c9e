package dev.switchboard.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GlobTest {

    @ParameterizedTest(name = "{0} vs {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        // auth.md §5.2 reference table
        "app_abc/*      | app_abc/room-1   | true",
        "app_abc/*      | app_abc/sub/deep | false",
        "app_abc/*      | other/x          | false",
        "app_abc/**     | app_abc/room-1   | true",
        "app_abc/**     | app_abc/sub/deep | true",
        "app_abc/**     | other/x          | false",
        "**             | app_abc/room-1   | true",
        "**             | app_abc/sub/deep | true",
        "**             | other/x          | true",
        "app_abc/room-* | app_abc/room-1   | true",
        "app_abc/room-* | app_abc/sub/deep | false",
        "app_abc/room-* | other/x          | false",
        // and the prose examples
        "room-*           | room-42             | true",
        "room-*           | admin-1             | false",
        "devices/*/events | devices/cam7/events | true",
        "tasks/**         | tasks/worker_3      | true",
        "a*               | a                   | true",
    })
    void referenceExamplesOfAuthSection52(String pattern, String channel, boolean expected) {
        assertThat(Glob.compile(pattern).matches(channel)).isEqualTo(expected);
    }

    @Test
    void singleStarDoesNotCrossSlashButMatchesEmpty() {
        Glob g = Glob.compile("a/*/c");
        assertThat(g.matches("a//c")).isTrue();
        assertThat(g.matches("a/b/c")).isTrue();
        assertThat(g.matches("a/b/x/c")).isFalse();
        assertThat(Glob.compile("*").matches("")).isTrue();
        assertThat(Glob.compile("*").matches("/")).isFalse();
    }

    @Test
    void doubleStarCrossesSlashAndMatchesEmpty() {
        assertThat(Glob.compile("a/**/c").matches("a/b/x/c")).isTrue();
        assertThat(Glob.compile("a/**/c").matches("a//c")).isTrue();
        assertThat(Glob.compile("a**").matches("a")).isTrue();
        assertThat(Glob.compile("**").matches("")).isTrue();
    }

    @Test
    void threeOrMoreStarsBehaveLikeDoubleStar() {
        assertThat(Glob.compile("a/***").matches("a/b/c")).isTrue();
        assertThat(Glob.compile("a/*****/z").matches("a/b/c/z")).isTrue();
    }

    @Test
    void escapedStarIsLiteral() {
        Glob g = Glob.compile("room\\*");
        assertThat(g.matches("room*")).isTrue();
        assertThat(g.matches("room1")).isFalse();
        assertThat(Glob.compile("a\\**").matches("a*bc")).isTrue();
        assertThat(Glob.compile("a\\**").matches("abc")).isFalse();
    }

    @Test
    void escapedBackslashIsLiteralBackslash() {
        assertThat(Glob.compile("a\\\\b").matches("a\\b")).isTrue();
        assertThat(Glob.compile("a\\\\*").matches("a\\xyz")).isTrue();
    }

    @Test
    void backslashBeforeOtherCharIsThatChar() {
        assertThat(Glob.compile("\\a\\/b").matches("a/b")).isTrue();
    }

    @Test
    void trailingLoneBackslashIsLiteralBackslash() {
        assertThat(Glob.compile("a\\").matches("a\\")).isTrue();
        assertThat(Glob.compile("a\\").matches("a")).isFalse();
        assertThat(Glob.compile("*\\").matches("xyz\\")).isTrue();
    }

    @Test
    void matchingIsCaseSensitiveAndWholeString() {
        assertThat(Glob.compile("Room-*").matches("room-1")).isFalse();
        assertThat(Glob.compile("room").matches("room-1")).isFalse();
        assertThat(Glob.compile("room-1").matches("room-1")).isTrue();
        assertThat(Glob.compile("room").matches("xroom")).isFalse();
    }

    @Test
    void emptyPatternMatchesOnlyEmptyChannel() {
        assertThat(Glob.compile("").matches("")).isTrue();
        assertThat(Glob.compile("").matches("a")).isFalse();
    }

    @Test
    void nullChannelNeverMatchesAndNullPatternIsRejected() {
        assertThat(Glob.compile("**").matches(null)).isFalse();
        assertThatThrownBy(() -> Glob.compile(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void patternReturnsTheSourceText() {
        assertThat(Glob.compile("a/\\*/**").pattern()).isEqualTo("a/\\*/**");
        assertThat(Glob.compile("x")).isEqualTo(Glob.compile("x")).hasSameHashCodeAs(Glob.compile("x"));
    }

    @Test
    void isPatternIsTrueOnlyForAnUnescapedStar() {
        assertThat(Glob.isPattern("devices/*/events")).isTrue();
        assertThat(Glob.isPattern("app/**")).isTrue();
        assertThat(Glob.isPattern("\\\\*")).isTrue(); // escaped backslash, then a real star
        assertThat(Glob.isPattern("room\\*")).isFalse();
        assertThat(Glob.isPattern("room-1")).isFalse();
        assertThat(Glob.isPattern("trailing\\")).isFalse();
        assertThat(Glob.isPattern("")).isFalse();
        assertThat(Glob.isPattern(null)).isFalse();
    }

    @Test
    @Timeout(5)
    void hostilePatternsMatchInLinearishTime() {
        String pattern = "*a".repeat(60) + "*b";
        String channel = "a".repeat(256);
        long start = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            assertThat(Glob.compile(pattern).matches(channel)).isFalse();
            assertThat(Glob.compile("**a".repeat(60) + "**b").matches(channel)).isFalse();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void agreesWithReferenceMatcherOnRandomInputs() {
        Random random = new Random(20261122L);
        String patternAlphabet = "ab/*\\c";
        String channelAlphabet = "ab/*\\c";
        for (int round = 0; round < 200_000; round++) {
            String pattern = randomString(random, patternAlphabet, 8);
            String channel = randomString(random, channelAlphabet, 10);
            assertThat(Glob.compile(pattern).matches(channel))
                    .as("pattern %s channel %s", pattern, channel)
                    .isEqualTo(ReferenceGlob.matches(pattern, channel));
        }
    }

    @Test
    void agreesWithReferenceMatcherOnChannelsBuiltFromThePattern() {
        // random channels rarely match; derive channels from the pattern to exercise the positive side
        Random random = new Random(7L);
        for (int round = 0; round < 50_000; round++) {
            String pattern = randomString(random, "ab/**\\", 8);
            StringBuilder channel = new StringBuilder();
            for (char c : pattern.toCharArray()) {
                channel.append(c == '*' ? randomString(random, "ab/", 3) : c == '\\' ? "" : String.valueOf(c));
            }
            String s = channel.toString();
            assertThat(Glob.compile(pattern).matches(s)).as("pattern %s channel %s", pattern, s)
                    .isEqualTo(ReferenceGlob.matches(pattern, s));
        }
    }

    static String randomString(Random random, String alphabet, int maxLength) {
        int n = random.nextInt(maxLength + 1);
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "devices/*/events | devices/<*>/events",
        "tasks/**         | tasks/<*>",
        "a***b*c          | a<*>b<*>c",
        "**               | <*>",
        "room-1           | room-1",
        "lit\\*eral/*      | lit[*]eral/<*>",
    })
    void coarsenWritesLiteralsThroughTheEscapeAndEachWildcardRunOnce(String pattern, String coarse) {
        assertThat(Glob.compile(pattern).coarsen(literal -> literal.replace("*", "[*]"), "<*>")).isEqualTo(coarse);
    }

    @Test
    void theCoarsePatternMatchesEveryChannelTheGlobDoes() {
        Random random = new Random(7);
        String alphabet = "ab/*";
        for (int i = 0; i < 2_000; i++) {
            String pattern = randomString(random, alphabet, 6);
            Glob glob = Glob.compile(pattern);
            // the coarse pattern in our own syntax, with ** for "anything": never narrower
            Glob coarse = Glob.compile(glob.coarsen(literal -> literal.replace("*", "\\*"), "**"));
            for (int j = 0; j < 20; j++) {
                String channel = randomString(random, "ab/", 6);
                if (glob.matches(channel)) {
                    assertThat(coarse.matches(channel)).as("%s coarsened, on %s", pattern, channel).isTrue();
                }
            }
        }
    }
}
