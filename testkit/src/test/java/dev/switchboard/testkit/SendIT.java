package dev.switchboard.testkit;

import static dev.switchboard.testkit.TestServer.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** protocol.md §4.4 and §8.3: direct messages, their validation order and per-sender ordering. */
class SendIT extends ServerTestBase {

    @Test
    void sendDeliversDirectWithoutChannelToTheTarget() {
        WsProbe a = pk();
        WsProbe b = pk();
        a.sendFrame("type", "send", "to", b.peerId(), "data", WsProbe.parse("{\"x\":1}"), "requestId", "s1");
        JsonNode direct = b.expectType("direct");
        assertThat(fields(direct)).containsExactlyInAnyOrder("type", "from", "data");
        assertThat(direct.get("from").asString()).isEqualTo(a.peerId());
        assertThat(direct.get("data")).isEqualTo(WsProbe.parse("{\"x\":1}"));
        expectAck(a, "s1");
        a.expectNothing(QUIET);
    }

    @Test
    void directAlwaysCarriesFromMetadataWhenTheSenderHasPeerMetadata() {
        WsProbe alice = jwt(server.tokenFor(sub("alice")).peerMetadata("{\"username\":\"Alice\"}"));
        WsProbe b = pk();
        alice.sendFrame("type", "send", "to", b.peerId(), "data", 1, "requestId", "fm");
        assertThat(b.expectType("direct").get("fromMetadata")).isEqualTo(WsProbe.parse("{\"username\":\"Alice\"}"));
        expectAck(alice, "fm");
    }

    @Test
    void sendReachesEveryConnectionOfTheTargetPeer() {
        String bob = sub("bob");
        WsProbe tab1 = jwt(bob);
        WsProbe tab2 = jwt(bob);
        WsProbe a = pk();
        a.sendFrame("type", "send", "to", bob, "data", "both", "requestId", "e");
        assertThat(tab1.expectType("direct").get("data").asString()).isEqualTo("both");
        assertThat(tab2.expectType("direct").get("data").asString()).isEqualTo("both");
        expectAck(a, "e");
    }

    @Test
    void sendToOwnPeerIdWithoutAnotherConnectionAnswersPeerNotFound() {
        String alice = sub("alice");
        WsProbe a = jwt(alice);
        a.sendFrame("type", "send", "to", alice, "data", 1, "requestId", "self");
        expectError(a, "peer_not_found", "self");
    }

    @Test
    void sendToOwnPeerIdReachesTheOtherTabOnly() {
        String alice = sub("alice");
        WsProbe tab1 = jwt(alice);
        WsProbe tab2 = jwt(alice);
        tab1.sendFrame("type", "send", "to", alice, "data", "hi me", "requestId", "self2");
        assertThat(tab2.expectType("direct").get("from").asString()).isEqualTo(alice);
        expectAck(tab1, "self2");
        tab1.expectNothing(QUIET);
    }

    @Test
    void sendIsNotRestrictedByChannelPatterns() {
        WsProbe rooms = pk(PK_ROOMS);
        WsProbe b = pk();
        rooms.sendFrame("type", "send", "to", b.peerId(), "data", null, "requestId", "np");
        JsonNode direct = b.expectType("direct");
        assertThat(direct.has("data") && direct.get("data").isNull()).as("data: null forwarded").isTrue();
        expectAck(rooms, "np");
    }

    @Test
    void sendToUnknownPeerAnswersPeerNotFound() {
        WsProbe a = pk();
        a.sendFrame("type", "send", "to", "nobody-" + sub("x"), "data", 1, "requestId", "pnf");
        expectError(a, "peer_not_found", "pnf");
    }

    @Test
    void sendToAPeerThatClosedAnswersPeerNotFound() {
        WsProbe a = pk();
        WsProbe b = pk();
        String gone = b.peerId();
        b.close();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> {
            String r = rid();
            a.sendFrame("type", "send", "to", gone, "data", 1, "requestId", r);
            JsonNode reply = a.expect();
            return reply.get("type").asString().equals("error");
        });
    }

    // ------------------------------------------------------------------------ to validation

    @Test
    void toOf127And128CharactersIsValidAnd129AnswersInvalidPeerId() {
        WsProbe a = pk();
        a.sendFrame("type", "send", "to", "p".repeat(127), "data", 1, "requestId", "t127");
        expectError(a, "peer_not_found", "t127");
        a.sendFrame("type", "send", "to", "p".repeat(128), "data", 1, "requestId", "t128");
        expectError(a, "peer_not_found", "t128");
        a.sendFrame("type", "send", "to", "p".repeat(129), "data", 1, "requestId", "t129");
        expectError(a, "invalid_peer_id", "t129");
    }

    @Test
    void toLengthIsCountedInCharacters() {
        WsProbe a = pk();
        a.sendFrame("type", "send", "to", "é".repeat(128), "data", 1, "requestId", "mb128");
        expectError(a, "peer_not_found", "mb128");
        a.sendFrame("type", "send", "to", "é".repeat(129), "data", 1, "requestId", "mb129");
        expectError(a, "invalid_peer_id", "mb129");
    }

    @Test
    void missingEmptyNonStringOrControlCharacterToAnswersInvalidPeerId() {
        WsProbe a = pk();
        a.sendFrame("type", "send", "data", 1, "requestId", "i0");
        expectError(a, "invalid_peer_id", "i0");
        a.sendFrame("type", "send", "to", "", "data", 1, "requestId", "i1");
        expectError(a, "invalid_peer_id", "i1");
        a.sendFrame("type", "send", "to", 42, "data", 1, "requestId", "i2");
        expectError(a, "invalid_peer_id", "i2");
        a.sendFrame("type", "send", "to", "bo\tb", "data", 1, "requestId", "i3");
        expectError(a, "invalid_peer_id", "i3");
        a.sendFrame("type", "send", "to", "bob\u009b", "data", 1, "requestId", "i4");
        expectError(a, "invalid_peer_id", "i4");
    }

    @Test
    void sendWithoutDataAnswersMissingData() {
        WsProbe a = pk();
        WsProbe b = pk();
        a.sendFrame("type", "send", "to", b.peerId(), "requestId", "md");
        expectError(a, "missing_data", "md");
        b.expectNothing(QUIET);
    }

    @Test
    void invalidPeerIdIsCheckedBeforeMissingData() {
        WsProbe a = pk();
        a.sendFrame("type", "send", "to", "", "requestId", "o1");
        expectError(a, "invalid_peer_id", "o1");
    }

    @Test
    void missingDataIsCheckedBeforeTheSendAction() {
        WsProbe a = pk(PK_NO_SEND);
        a.sendFrame("type", "send", "to", "someone", "requestId", "o2");
        expectError(a, "missing_data", "o2");
    }

    @Test
    void sendWithoutSendActionAnswersActionNotPermittedEvenForAnOnlinePeer() {
        WsProbe a = pk(PK_NO_SEND);
        WsProbe b = pk();
        a.sendFrame("type", "send", "to", b.peerId(), "data", 1, "requestId", "o3");
        expectError(a, "action_not_permitted", "o3");
        a.sendFrame("type", "send", "to", "offline-" + sub("x"), "data", 1, "requestId", "o4");
        expectError(a, "action_not_permitted", "o4");
        b.expectNothing(QUIET);
    }

    // ------------------------------------------------------------------------ per-sender ordering (§3.3, §8.3)

    @Test
    void newcomersJoinedDeltaReachesMembersBeforeItsFollowingSend() {
        for (int round = 0; round < 20; round++) {
            String c = channel("order");
            WsProbe member = pk();
            subscribe(member, c);
            WsProbe newcomer = pk();
            newcomer.sendFrame("type", "subscribe", "channel", c, "requestId", "join");
            newcomer.sendFrame("type", "send", "to", member.peerId(), "data", "offer", "requestId", "sdp");
            expectPresence(member, c, List.of(newcomer.peerId()), List.of());
            assertThat(member.expectType("direct").get("data").asString()).isEqualTo("offer");
            expectAck(newcomer, "join");
            newcomer.expectType("presence");
            expectAck(newcomer, "sdp");
            member.close();
            newcomer.close();
        }
    }

    @Test
    void sendsOfOneSenderArriveInIssueOrder() {
        WsProbe a = pk();
        WsProbe b = pk();
        for (int i = 0; i < 50; i++) {
            a.sendFrame("type", "send", "to", b.peerId(), "data", i);
        }
        for (int i = 0; i < 50; i++) {
            assertThat(b.expectType("direct").get("data").asInt()).isEqualTo(i);
        }
    }
}
