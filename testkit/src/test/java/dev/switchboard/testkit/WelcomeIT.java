package dev.switchboard.testkit;

import static dev.switchboard.testkit.TestServer.*;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** protocol.md §2.3: the welcome frame, first and exactly once. */
class WelcomeIT extends ServerTestBase {

    private static final String UUID_V4 = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

    @Test
    void publishableKeyWelcomeHasExactlyTheDocumentedFieldsWithExpiresAtNull() {
        long before = System.currentTimeMillis() / 1000;
        JsonNode welcome = connect(keyQuery(PK_ALL)).awaitWelcome();
        long after = System.currentTimeMillis() / 1000;
        assertThat(fields(welcome)).containsExactlyInAnyOrder("type", "peerId", "expiresAt", "serverTime",
                "maxMessageSize");
        assertThat(welcome.get("expiresAt").isNull()).as("expiresAt is present and null").isTrue();
        assertThat(welcome.get("serverTime").isIntegralNumber()).as("serverTime integer").isTrue();
        assertThat(welcome.get("serverTime").asLong()).as("serverTime in Unix seconds").isBetween(before - 2, after + 2);
        assertThat(welcome.get("maxMessageSize").asInt()).isEqualTo(65536);
    }

    @Test
    void publishableKeySessionGetsALowercaseUuidV4PeerId() {
        String peerId = connect(keyQuery(PK_ALL)).awaitWelcome().get("peerId").asString();
        assertThat(peerId).hasSize(36).matches(UUID_V4);
    }

    @Test
    void everyPublishableKeyConnectionGetsAFreshPeerId() {
        String first = pk().peerId();
        String second = pk().peerId();
        String third = pk().peerId();
        assertThat(first).isNotEqualTo(second).isNotEqualTo(third);
        assertThat(second).isNotEqualTo(third);
    }

    @Test
    void jwtWelcomeCarriesSubAsPeerIdAndExpAsExpiresAt() {
        long exp = System.currentTimeMillis() / 1000 + 1234;
        String alice = sub("alice");
        JsonNode welcome = connect(server.tokenFor(alice).expiresAt(exp).query()).awaitWelcome();
        assertThat(fields(welcome)).containsExactlyInAnyOrder("type", "peerId", "expiresAt", "serverTime",
                "maxMessageSize");
        assertThat(welcome.get("peerId").asString()).isEqualTo(alice);
        assertThat(welcome.get("expiresAt").isIntegralNumber()).isTrue();
        assertThat(welcome.get("expiresAt").asLong()).isEqualTo(exp);
        assertThat(welcome.get("maxMessageSize").asInt()).isEqualTo(65536);
    }

    @Test
    void jwtMetadataClaimIsPassedThroughAsWelcomeMetadata() {
        String metadata = "{\"iceServers\":[{\"urls\":[\"stun:stun.example.org:3478\"]}],\"plan\":\"pro\",\"n\":[1,2.5,null]}";
        JsonNode welcome = connect(server.tokenFor(sub("md")).metadata(metadata).query()).awaitWelcome();
        assertThat(welcome.get("metadata")).isEqualTo(WsProbe.parse(metadata));
    }

    @Test
    void peerMetadataIsNeverPutIntoTheWelcome() {
        JsonNode welcome = connect(server.tokenFor(sub("pm")).peerMetadata("{\"username\":\"A\"}").query())
                .awaitWelcome();
        assertThat(welcome.has("metadata")).isFalse();
    }

    @Test
    void twoConnectionsWithTheSameSubBothGetTheSubAsPeerId() {
        String alice = sub("alice");
        assertThat(jwt(alice).peerId()).isEqualTo(alice);
        assertThat(jwt(alice).peerId()).isEqualTo(alice);
    }

    @Test
    void welcomeIsSentExactlyOnceAndNothingElseFollowsUnprompted() {
        WsProbe probe = pk();
        probe.expectNothing(QUIET);
        expectOpenWithNothingPending(probe);
    }
}
