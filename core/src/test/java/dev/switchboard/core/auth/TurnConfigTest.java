package dev.switchboard.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.auth.TurnConfig.IceServer;
import dev.switchboard.protocol.RawJson;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** TURN credentials for the welcome (auth.md §8): the TURN REST convention coturn's use-auth-secret checks. */
class TurnConfigTest {
    private static final long NOW = 1_700_000_000L;
    private final TurnConfig turn = new TurnConfig(List.of("turn:127.0.0.1:3478", "turns:turn.example.com:5349"),
            "north-secret", Duration.ofHours(24), List.of());

    @Test
    void theUsernameIsExpiryColonPeerIdAndTheCredentialBase64HmacSha1OfItUnderTheSecret() {
        IceServer server = turn.iceServersFor("alice", NOW, null).getFirst();
        assertThat(server.urls()).containsExactly("turn:127.0.0.1:3478", "turns:turn.example.com:5349");
        assertThat(server.username()).isEqualTo("1700086400:alice");
        // python3: base64(hmac.new(b'north-secret', b'1700086400:alice', sha1).digest())
        assertThat(server.credential()).isEqualTo("Nni2GlD6PVaoCP0Cx2DhLKDWjyY=");
    }

    @Test
    void theCredentialNeverOutlivesTheSession() {
        IceServer server = turn.iceServersFor("alice", NOW, NOW + 3600).getFirst();
        assertThat(server.username()).isEqualTo("1700003600:alice");
        assertThat(server.credential()).isEqualTo("Ji4axghh2/aljHmsPgH9mtDGVLw=");
    }

    @Test
    void staticEntriesComeFirstAndStunOnlyUrlsNeedNoSecret() {
        TurnConfig both = new TurnConfig(List.of("stun:stun.example.com:3478"), null, null,
                List.of(new IceServer(List.of("turn:relay.example.com"), "user", "pass")));
        assertThat(both.iceServersFor("p", NOW, null)).containsExactly(
                new IceServer(List.of("turn:relay.example.com"), "user", "pass"),
                new IceServer(List.of("stun:stun.example.com:3478"), null, null));
    }

    @Test
    void injectionAddsIceServersToTheMetadataAndKeepsItsOtherFields() {
        assertThat(turn.inject(null, "alice", NOW, null).toString()).isEqualTo(
                "{\"iceServers\":[{\"urls\":[\"turn:127.0.0.1:3478\",\"turns:turn.example.com:5349\"],"
                        + "\"username\":\"1700086400:alice\",\"credential\":\"Nni2GlD6PVaoCP0Cx2DhLKDWjyY=\"}]}");
        assertThat(turn.inject(RawJson.of("{\"plan\":\"pro\",\"n\":[1,{\"x\":2}]}"), "alice", NOW, null).toString())
                .startsWith("{\"iceServers\":[{").endsWith("}],\"plan\":\"pro\",\"n\":[1,{\"x\":2}]}");
        assertThat(turn.inject(RawJson.of("{}"), "alice", NOW, null).toString()).startsWith("{\"iceServers\":[{");
    }

    @Test
    void aTokensOwnIceServersWin() {
        RawJson own = RawJson.of("{\"plan\":{\"iceServers\":1},\"iceServers\":[{\"urls\":\"stun:own.example\"}]}");
        assertThat(turn.inject(own, "alice", NOW, null)).isSameAs(own);
    }

    @Test
    void whatTheSdkWouldIgnoreIsRefusedAtLoadNamingTheField() {
        assertThatThrownBy(() -> new TurnConfig(List.of("http://x"), "s", null, List.of()))
                .hasMessageStartingWith("urls[0]: must start with stun:, stuns:, turn: or turns:");
        String longest = "turn:" + "x".repeat(TurnConfig.MAX_URL_CHARS - "turn:".length());
        assertThat(new TurnConfig(List.of(longest), "s", null, List.of()).urls()).containsExactly(longest);
        assertThatThrownBy(() -> new TurnConfig(List.of(longest + "x"), "s", null, List.of()))
                .hasMessage("urls[0]: at most 512 characters");
        assertThatThrownBy(() -> new TurnConfig(List.of("turn:x"), null, null, List.of()))
                .hasMessageStartingWith("secret: ");
        assertThatThrownBy(() -> new TurnConfig(List.of("turn:x"), "s", Duration.ZERO, List.of()))
                .hasMessage("ttl: must be at least 1s");
        assertThatThrownBy(() -> new TurnConfig(List.of("turn:x"), "s", null,
                Collections.nCopies(16, new IceServer(List.of("stun:y"), null, null))))
                .hasMessage("iceServers: at most 16 entries in all, not 17");
        assertThatThrownBy(() -> new TurnConfig(List.of(), null, null,
                List.of(new IceServer(List.of("turn:y"), "u", "c".repeat(1025)))))
                .hasMessage("iceServers[0].credential: at most 1024 characters");
        assertThatThrownBy(() -> new TurnConfig(List.of(), null, null, List.of())).hasMessageContaining("needs urls");
    }

    @Test
    void theSecretAndStaticCredentialsNeverPrint() {
        TurnConfig config = new TurnConfig(List.of("turn:x"), "north-secret", null,
                List.of(new IceServer(List.of("turn:y"), "u", "static-pass")));
        assertThat(config.toString()).doesNotContain("north-secret").doesNotContain("static-pass");
    }
}
