package dev.switchboard.testkit;

import static dev.switchboard.testkit.TestServer.*;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** protocol.md §16, frame by frame. */
class WorkedExampleIT extends ServerTestBase {

    @Test
    void aliceAndBobInRoom1FollowTheWorkedExampleFrameByFrame() {
        String room = "room-1";
        WsProbe bob = connect(keyQuery(PK_ALL));
        JsonNode bobWelcome = bob.awaitWelcome();
        assertThat(bobWelcome.get("expiresAt").isNull()).isTrue();
        assertThat(bobWelcome.get("maxMessageSize").asInt()).isEqualTo(65536);
        String bobId = bob.peerId();

        bob.send("{\"type\":\"subscribe\",\"channel\":\"room-1\",\"requestId\":\"r1\"}");
        assertThat(bob.expect()).isEqualTo(WsProbe.parse("{\"type\":\"ack\",\"requestId\":\"r1\"}"));
        assertThat(bob.expect()).isEqualTo(WsProbe.parse("{\"type\":\"presence\",\"channel\":\"room-1\",\"joined\":[],\"left\":[]}"));

        long exp = System.currentTimeMillis() / 1000 + 3600;
        WsProbe alice = connect(server.tokenFor("alice").expiresAt(exp).peerMetadata("{\"username\":\"Alice\"}").query());
        JsonNode aliceWelcome = alice.awaitWelcome();
        assertThat(aliceWelcome.get("peerId").asString()).isEqualTo("alice");
        assertThat(aliceWelcome.get("expiresAt").asLong()).isEqualTo(exp);
        assertThat(aliceWelcome.has("metadata")).isFalse();

        alice.send("{\"type\":\"subscribe\",\"channel\":\"room-1\",\"requestId\":\"a1\",\"includeSenderMetadata\":true}");
        assertThat(bob.expect()).isEqualTo(WsProbe.parse("{\"type\":\"presence\",\"channel\":\"room-1\","
                + "\"joined\":[{\"peerId\":\"alice\",\"metadata\":{\"username\":\"Alice\"}}],\"left\":[]}"));
        assertThat(alice.expect()).isEqualTo(WsProbe.parse("{\"type\":\"ack\",\"requestId\":\"a1\"}"));
        assertThat(alice.expect()).isEqualTo(WsProbe.parse("{\"type\":\"presence\",\"channel\":\"room-1\","
                + "\"joined\":[{\"peerId\":\"" + bobId + "\"}],\"left\":[]}"));

        bob.send("{\"type\":\"publish\",\"channel\":\"room-1\",\"data\":{\"text\":\"hi\"},\"requestId\":\"r2\"}");
        assertThat(alice.expect()).isEqualTo(WsProbe.parse("{\"type\":\"message\",\"channel\":\"room-1\",\"from\":\""
                + bobId + "\",\"data\":{\"text\":\"hi\"}}"));
        assertThat(bob.expect()).isEqualTo(WsProbe.parse("{\"type\":\"ack\",\"requestId\":\"r2\"}"));

        alice.send("{\"type\":\"send\",\"to\":\"" + bobId + "\",\"data\":{\"x\":1},\"requestId\":\"a2\"}");
        assertThat(bob.expect()).isEqualTo(WsProbe.parse("{\"type\":\"direct\",\"from\":\"alice\",\"data\":{\"x\":1},"
                + "\"fromMetadata\":{\"username\":\"Alice\"}}"));
        assertThat(alice.expect()).isEqualTo(WsProbe.parse("{\"type\":\"ack\",\"requestId\":\"a2\"}"));

        alice.send("{\"type\":\"send\",\"to\":\"nobody\",\"data\":1,\"requestId\":\"a3\"}");
        JsonNode error = alice.expect();
        assertThat(error.get("type").asString()).isEqualTo("error");
        assertThat(error.get("requestId").asString()).isEqualTo("a3");
        assertThat(error.get("code").asString()).isEqualTo("peer_not_found");
        assertThat(error.get("message").isString()).isTrue();

        bob.send("{\"type\":\"ping\"}");
        assertThat(bob.expect()).isEqualTo(WsProbe.parse("{\"type\":\"pong\"}"));

        alice.close();
        assertThat(bob.expect()).isEqualTo(WsProbe.parse("{\"type\":\"presence\",\"channel\":\"room-1\",\"joined\":[],"
                + "\"left\":[{\"peerId\":\"alice\",\"metadata\":{\"username\":\"Alice\"}}]}"));
        bob.expectNothing(QUIET);
        assertThat(room).isEqualTo("room-1");
    }
}
