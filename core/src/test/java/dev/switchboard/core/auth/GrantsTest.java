package dev.switchboard.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** auth.md §5.1 (effective grant) and the §5.2 reference examples. */
class GrantsTest {

    private static boolean keyAllows(String pattern, String channel) {
        return Grants.of(List.of(pattern), null).allows(channel);
    }

    @ParameterizedTest(name = "{0} vs {1} -> {2}")
    @CsvSource({
            "app_abc/*,      app_abc/room-1,      true",
            "app_abc/*,      app_abc/sub/deep,    false",
            "app_abc/*,      other/x,             false",
            "app_abc/**,     app_abc/room-1,      true",
            "app_abc/**,     app_abc/sub/deep,    true",
            "app_abc/**,     other/x,             false",
            "**,             app_abc/room-1,      true",
            "**,             app_abc/sub/deep,    true",
            "**,             other/x,             true",
            "app_abc/room-*, app_abc/room-1,      true",
            "app_abc/room-*, app_abc/sub/deep,    false",
            "app_abc/room-*, other/x,             false",
            "room-*,         room-42,             true",
            "room-*,         admin-1,             false",
            "devices/*/events, devices/cam7/events, true",
            "devices/*/events, devices/a/b/events,  false",
            "tasks/**,       tasks/worker_3,      true",
            "a*,             a,                   true",
            "Room-*,         room-1,              false",
            "app_abc/\\*,    app_abc/*,           true",
            "app_abc/\\*,    app_abc/x,           false",
            "a***b,          a/x/b,               true",
    })
    void keyPatternsMatchPerTheReferenceTable(String pattern, String channel, boolean expected) {
        assertThat(keyAllows(pattern, channel)).isEqualTo(expected);
    }

    @Test
    void grantRequiresAMatchingKeyPattern() {
        Grants g = Grants.of(List.of("room-*", "demo/**"), null);
        assertThat(g.allows("room-1")).isTrue();
        assertThat(g.allows("demo/x/y")).isTrue();
        assertThat(g.allows("other")).isFalse();
        assertThat(g.allows(null)).isFalse();
    }

    @Test
    void keyWithoutPatternsAllowsNothing() {
        assertThat(Grants.of(List.of(), null).allows("anything")).isFalse();
        assertThat(Grants.of(null, List.of("anything")).allows("anything")).isFalse();
    }

    @Test
    void tokenChannelsNarrowButNeverWiden() {
        Grants g = Grants.of(List.of("app_abc/*"), List.of("app_abc/room-1", "other/x", "app_abc/chat-*"));
        assertThat(g.allows("app_abc/room-1")).isTrue();
        assertThat(g.allows("app_abc/chat-7")).isTrue();
        assertThat(g.allows("app_abc/room-2")).isFalse();
        assertThat(g.allows("other/x")).isFalse();
    }

    @Test
    void nullOrEmptyTokenChannelsMeanNoNarrowing() {
        assertThat(Grants.of(List.of("app_abc/*"), null).allows("app_abc/x")).isTrue();
        assertThat(Grants.of(List.of("app_abc/*"), List.of()).allows("app_abc/x")).isTrue();
    }

    @Test
    void wildcardSubscriptionStringIsCheckedLiterally() {
        Grants g = Grants.of(List.of("app_abc/*"), null);
        assertThat(g.allows("app_abc/chat-*")).isTrue();
        assertThat(g.allows("app_abc/**")).isTrue();
        assertThat(Grants.of(List.of("app_abc/room-*"), null).allows("app_abc/room-*")).isTrue();
        assertThat(Grants.of(List.of("app_abc/room-*"), null).allows("app_abc/*"))
                .as("a subscription wider than the key pattern is refused").isFalse();
        assertThat(Grants.of(List.of("app_abc/room-1"), null).allows("app_abc/*")).isFalse();
    }

    @Test
    void grantsExposeTheirSourcePatterns() {
        Grants g = Grants.of(List.of("a/*"), List.of());
        assertThat(g.keyPatterns()).containsExactly("a/*");
        assertThat(g.tokenChannels()).isEmpty();
    }
}
