package dev.switchboard.testkit;

import static dev.switchboard.testkit.TestServer.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** protocol.md §4.3, §8, §13.3: publish validation, delivery, no echo, fromMetadata opt-in and quotas. */
class PublishIT extends ServerTestBase {

    @Test
    void publishDeliversMessageToSubscribersButNotBackToTheSender() {
        String c = channel("pub");
        WsProbe a = pk();
        WsProbe b = pk();
        subscribe(a, c);
        subscribe(b, c);
        expectPresence(a, c, List.of(b.peerId()), List.of());
        a.sendFrame("type", "publish", "channel", c, "data", WsProbe.parse("{\"text\":\"hi\"}"), "requestId", "p1");
        JsonNode message = b.expectType("message");
        assertThat(fields(message)).containsExactlyInAnyOrder("type", "channel", "from", "data");
        assertThat(message.get("channel").asString()).isEqualTo(c);
        assertThat(message.get("from").asString()).isEqualTo(a.peerId());
        assertThat(message.get("data")).isEqualTo(WsProbe.parse("{\"text\":\"hi\"}"));
        expectAck(a, "p1");
        a.expectNothing(QUIET);
    }

    @Test
    void publisherNeedNotBeSubscribed() {
        String c = channel("pub");
        WsProbe listener = pk();
        subscribe(listener, c);
        WsProbe outsider = pk();
        outsider.sendFrame("type", "publish", "channel", c, "data", 1, "requestId", "o");
        expectAck(outsider, "o");
        assertThat(listener.expectType("message").get("from").asString()).isEqualTo(outsider.peerId());
    }

    @Test
    void anotherConnectionOfTheSamePeerReceivesThePublish() {
        String c = channel("tabs");
        String alice = sub("alice");
        WsProbe tab1 = jwt(alice);
        WsProbe tab2 = jwt(alice);
        subscribe(tab1, c);
        subscribe(tab2, c);
        tab1.sendFrame("type", "publish", "channel", c, "data", "x", "requestId", "t");
        expectAck(tab1, "t");
        assertThat(tab2.expectType("message").get("from").asString()).isEqualTo(alice);
        tab1.expectNothing(QUIET);
    }

    @Test
    void everyJsonValueIsAcceptedAsDataAndForwardedIncludingNull() {
        String c = channel("data");
        WsProbe a = pk();
        WsProbe b = pk();
        subscribe(b, c);
        for (String json : List.of("null", "0", "-1.5e3", "\"text\"", "\"\"", "true", "[]", "[1,\"two\",null]", "{}",
                "{\"a\":{\"b\":[{\"c\":\"ünï€😀\"}]}}")) {
            a.send("{\"type\":\"publish\",\"channel\":\"" + c + "\",\"data\":" + json + ",\"requestId\":\"d\"}");
            expectAck(a, "d");
            JsonNode message = b.expectType("message");
            assertThat(message.has("data")).as("data key present for " + json).isTrue();
            assertThat(message.get("data")).as("data " + json).isEqualTo(WsProbe.parse(json));
        }
    }

    @Test
    void deliveriesReachEverySubscriber() {
        String c = channel("fan");
        WsProbe publisher = pk();
        List<WsProbe> listeners = List.of(pk(), pk(), pk());
        for (WsProbe l : listeners) {
            subscribe(l, c);
        }
        publisher.sendFrame("type", "publish", "channel", c, "data", 7, "requestId", "f");
        expectAck(publisher, "f");
        for (WsProbe l : listeners) {
            while (true) {
                JsonNode frame = l.expect();
                if (frame.get("type").asString().equals("message")) {
                    assertThat(frame.get("data").asInt()).isEqualTo(7);
                    break;
                }
                assertThat(frame.get("type").asString()).isEqualTo("presence");
            }
        }
    }

    // ------------------------------------------------------------------------ fromMetadata

    @Test
    void fromMetadataOnlyForIncludeSenderMetadataSubscribersAndOnlyWhenTheSenderHasPeerMetadata() {
        String c = channel("meta");
        WsProbe optedIn = pk();
        WsProbe plain = pk();
        subscribe(optedIn, c, true);
        subscribe(plain, c);
        expectPresence(optedIn, c, List.of(plain.peerId()), List.of());
        WsProbe alice = jwt(server.tokenFor(sub("alice")).peerMetadata("{\"username\":\"Alice\"}"));
        alice.sendFrame("type", "publish", "channel", c, "data", 1, "requestId", "m1");
        expectAck(alice, "m1");
        assertThat(optedIn.expectType("message").get("fromMetadata")).isEqualTo(WsProbe.parse("{\"username\":\"Alice\"}"));
        assertThat(plain.expectType("message").has("fromMetadata")).isFalse();
        WsProbe bob = pk();
        bob.sendFrame("type", "publish", "channel", c, "data", 2, "requestId", "m2");
        expectAck(bob, "m2");
        assertThat(optedIn.expectType("message").has("fromMetadata")).as("pk sender has no metadata").isFalse();
        assertThat(plain.expectType("message").has("fromMetadata")).isFalse();
    }

    // ------------------------------------------------------------------------ validation order

    @Test
    void invalidChannelAnswersInvalidChannel() {
        WsProbe p = pk();
        p.sendFrame("type", "publish", "data", 1, "requestId", "v0");
        expectError(p, "invalid_channel", "v0");
        p.sendFrame("type", "publish", "channel", "", "data", 1, "requestId", "v1");
        expectError(p, "invalid_channel", "v1");
        p.sendFrame("type", "publish", "channel", "é".repeat(128) + "x", "data", 1, "requestId", "v2");
        expectError(p, "invalid_channel", "v2");
        p.sendFrame("type", "publish", "channel", "a\u0085", "data", 1, "requestId", "v3");
        expectError(p, "invalid_channel", "v3");
        p.sendFrame("type", "publish", "channel", "é".repeat(128), "data", 1, "requestId", "v4");
        expectAck(p, "v4");
    }

    @Test
    void publishWithoutDataAnswersMissingData() {
        WsProbe p = pk();
        p.sendFrame("type", "publish", "channel", channel("c"), "requestId", "md");
        expectError(p, "missing_data", "md");
    }

    @Test
    void invalidChannelIsCheckedBeforeMissingData() {
        WsProbe p = pk();
        p.sendFrame("type", "publish", "channel", "", "requestId", "o1");
        expectError(p, "invalid_channel", "o1");
    }

    @Test
    void missingDataIsCheckedBeforeReservedPrefix() {
        WsProbe p = pk();
        p.sendFrame("type", "publish", "channel", "_metered/x", "requestId", "o2");
        expectError(p, "missing_data", "o2");
    }

    @Test
    void publishToReservedChannelAnswersChannelReservedEvenWithoutPublishAction() {
        WsProbe p = pk(PK_NO_PUBLISH);
        p.sendFrame("type", "publish", "channel", "_System/alerts", "data", 1, "requestId", "o3");
        expectError(p, "channel_reserved", "o3");
    }

    @Test
    void publishWithoutPublishActionAnswersActionNotPermitted() {
        WsProbe p = pk(PK_NO_PUBLISH);
        p.sendFrame("type", "publish", "channel", channel("c"), "data", 1, "requestId", "o4");
        expectError(p, "action_not_permitted", "o4");
        WsProbe q = jwt(server.tokenFor(sub("sub-only")).permissions("subscribe").channels("only"));
        q.sendFrame("type", "publish", "channel", "elsewhere", "data", 1, "requestId", "o5");
        expectError(q, "action_not_permitted", "o5");
    }

    @Test
    void publishToUnauthorizedChannelAnswersChannelNotAuthorized() {
        WsProbe p = pk(PK_ROOMS);
        p.sendFrame("type", "publish", "channel", "lobby", "data", 1, "requestId", "o6");
        expectError(p, "channel_not_authorized", "o6");
        p.sendFrame("type", "publish", "channel", "room-" + sub("r"), "data", 1, "requestId", "o7");
        expectAck(p, "o7");
    }

    // ------------------------------------------------------------------------ quota (§13.3)

    @Test
    void exhaustedMessageQuotaAnswersOverMessageQuotaWhileReceivingContinues() {
        String c = channel("quota");
        WsProbe a = pk(PK_QUOTA);
        WsProbe b = pk(PK_QUOTA);
        subscribe(a, c);
        subscribe(b, c);
        expectPresence(a, c, List.of(b.peerId()), List.of());
        a.sendFrame("type", "publish", "channel", c, "data", 1, "requestId", "q1");
        expectAck(a, "q1");
        a.sendFrame("type", "send", "to", b.peerId(), "data", 2, "requestId", "q2");
        expectAck(a, "q2");
        assertThat(b.expectType("message").get("data").asInt()).isEqualTo(1);
        assertThat(b.expectType("direct").get("data").asInt()).isEqualTo(2);
        b.sendFrame("type", "publish", "channel", c, "data", 3, "requestId", "q3");
        expectAck(b, "q3");
        assertThat(a.expectType("message").get("data").asInt()).isEqualTo(3);

        a.sendFrame("type", "publish", "channel", c, "data", 4, "requestId", "q4");
        expectError(a, "over_message_quota", "q4");
        b.sendFrame("type", "send", "to", a.peerId(), "data", 5, "requestId", "q5");
        expectError(b, "over_message_quota", "q5");
        b.expectNothing(QUIET);
        a.expectNothing(QUIET);

        // The connection stays open and inbound delivery continues (presence here).
        WsProbe c3 = pk(PK_QUOTA);
        subscribe(c3, c);
        expectPresence(a, c, List.of(c3.peerId()), List.of());
        expectPresence(b, c, List.of(c3.peerId()), List.of());
        expectOpenWithNothingPending(a);
        // Validation failures are answered with their own codes, not the quota.
        a.sendFrame("type", "publish", "channel", c, "requestId", "q6");
        expectError(a, "missing_data", "q6");
    }
}
