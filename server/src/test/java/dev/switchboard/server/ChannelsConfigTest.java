package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.auth.Action;
import dev.switchboard.core.auth.ChannelRule;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code apps[].channels} in the configuration file: per-channel history and presence settings. */
class ChannelsConfigTest {

    private static List<ChannelRule> parse(String channels) throws ConfigException {
        String yaml = """
                apps:
                  - id: a
                    keys:
                      - { type: publishable, id: pk_live_channelsconfig0000000001, channelPatterns: ["**"] }
                """ + channels;
        return ConfigLoader.parse("test.yaml", yaml).apps().getFirst().channels();
    }

    @Test
    void rulesAreReadInOrderWithTheirDefaults() throws Exception {
        List<ChannelRule> rules = parse("""
                    channels:
                      - pattern: "room-*"
                        history: { size: 100, ttl: 5m }
                        replayOnSubscribe: 20
                      - pattern: "live/**"
                        presence: { mode: batched, threshold: 500, interval: 2s, audience: { roles: [moderator], actions: [publish] } }
                      - pattern: "stats-*"
                        history: {}
                        presence: { mode: count }
                """);
        assertThat(rules).containsExactly(
                new ChannelRule("room-*", new ChannelRule.History(100, Duration.ofMinutes(5)), 20,
                        ChannelRule.PresenceRule.FULL),
                new ChannelRule("live/**", null, 0, new ChannelRule.PresenceRule(ChannelRule.Mode.BATCHED, 500,
                        Duration.ofSeconds(2), Set.of("moderator"), Set.of(Action.PUBLISH))),
                new ChannelRule("stats-*", new ChannelRule.History(100, Duration.ofMinutes(5)), 0,
                        new ChannelRule.PresenceRule(ChannelRule.Mode.COUNT, 100, Duration.ofSeconds(1), Set.of(),
                                Set.of())));
        assertThat(parse("")).isEmpty();
    }

    @Test
    void badRulesAreRefusedWithTheirField() {
        assertThatThrownBy(() -> parse("    channels: { pattern: x }\n")).hasMessageContaining("apps[0].channels");
        assertThatThrownBy(() -> parse("    channels: [ { history: { size: 1 } } ]\n"))
                .hasMessageContaining("apps[0].channels[0].pattern");
        assertThatThrownBy(() -> parse("    channels: [ { pattern: a, history: { size: 0 } } ]\n"))
                .hasMessageContaining("apps[0].channels[0].history.size");
        assertThatThrownBy(() -> parse("    channels: [ { pattern: a, history: { ttl: 10ms } } ]\n"))
                .hasMessageContaining("apps[0].channels[0].history.ttl");
        assertThatThrownBy(() -> parse("    channels: [ { pattern: a, replayOnSubscribe: 5 } ]\n"))
                .hasMessageContaining("apps[0].channels[0].replayOnSubscribe").hasMessageContaining("history");
        assertThatThrownBy(() -> parse("    channels: [ { pattern: a, presence: { mode: sometimes } } ]\n"))
                .hasMessageContaining("apps[0].channels[0].presence.mode");
        assertThatThrownBy(() -> parse("    channels: [ { pattern: a, presence: { audience: { actions: [fly] } } } ]\n"))
                .hasMessageContaining("apps[0].channels[0].presence.audience.actions").hasMessageContaining("fly");
        assertThatThrownBy(() -> parse("    channels: [ { pattern: a, presence: { interval: 1ms } } ]\n"))
                .hasMessageContaining("apps[0].channels[0].presence.interval");
        assertThatThrownBy(() -> parse("    channels: [ { pattern: a, colour: blue } ]\n"))
                .hasMessageContaining("apps[0].channels[0].colour");
    }
}
