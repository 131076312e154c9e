package dev.switchboard.testkit;

import static dev.switchboard.testkit.TestServer.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** protocol.md §6.3–§6.4 and open-questions Q7/Q28: pattern subscriptions. */
class WildcardIT extends ServerTestBase {

    @Test
    void patternSubscriptionReceivesMatchingChannelsWithTheConcreteChannelName() {
        String root = channel("dev");
        WsProbe listener = pk();
        subscribe(listener, root + "/*/events");
        WsProbe publisher = pk();
        publisher.sendFrame("type", "publish", "channel", root + "/a/events", "data", 1, "requestId", "1");
        publisher.sendFrame("type", "publish", "channel", root + "/a/b/events", "data", 2, "requestId", "2");
        publisher.sendFrame("type", "publish", "channel", root + "/a/other", "data", 3, "requestId", "3");
        publisher.sendFrame("type", "publish", "channel", root + "/b/events", "data", 4, "requestId", "4");
        for (String r : List.of("1", "2", "3", "4")) {
            expectAck(publisher, r);
        }
        JsonNode first = listener.expectType("message");
        assertThat(first.get("channel").asString()).isEqualTo(root + "/a/events");
        assertThat(first.get("data").asInt()).isEqualTo(1);
        JsonNode second = listener.expectType("message");
        assertThat(second.get("channel").asString()).isEqualTo(root + "/b/events");
        listener.expectNothing(QUIET);
    }

    @Test
    void doubleStarPatternMatchesAcrossSlashes() {
        String root = channel("deep");
        WsProbe listener = pk();
        subscribe(listener, root + "/**");
        WsProbe publisher = pk();
        publisher.sendFrame("type", "publish", "channel", root + "/x/y/z", "data", 1);
        assertThat(listener.expectType("message").get("channel").asString()).isEqualTo(root + "/x/y/z");
    }

    @Test
    void patternSubscriptionIsAuthorizedByItsLiteralText() {
        WsProbe rooms = pk(PK_ROOMS);
        subscribe(rooms, "room-*");
        rooms.sendFrame("type", "subscribe", "channel", "**", "requestId", "all");
        expectError(rooms, "channel_not_authorized", "all");
    }

    @Test
    void patternDeliveryReauthorizesEachConcreteChannelForTheSubscriber() {
        String root = channel("news");
        WsProbe listener = jwt(server.tokenFor(sub("reader")).channels(root + "/\\*", root + "/public"));
        subscribe(listener, root + "/*");
        WsProbe publisher = pk();
        publisher.sendFrame("type", "publish", "channel", root + "/secret", "data", "hidden", "requestId", "s");
        expectAck(publisher, "s");
        publisher.sendFrame("type", "publish", "channel", root + "/public", "data", "visible", "requestId", "p");
        expectAck(publisher, "p");
        JsonNode message = listener.expectType("message");
        assertThat(message.get("channel").asString()).isEqualTo(root + "/public");
        assertThat(message.get("data").asString()).isEqualTo("visible");
        listener.expectNothing(QUIET);
    }

    @Test
    void patternSubscriptionIsItsOwnPresenceRoom() {
        String root = channel("room");
        String pattern = root + "/*";
        WsProbe a = pk();
        WsProbe b = pk();
        subscribe(a, pattern);
        assertPresence(subscribe(b, pattern), pattern, List.of(a.peerId()), List.of());
        expectPresence(a, pattern, List.of(b.peerId()), List.of());
        WsProbe concrete = pk();
        assertPresence(subscribe(concrete, root + "/x"), root + "/x", List.of(), List.of());
        a.expectNothing(QUIET);
        concrete.close();
        a.expectNothing(QUIET);
    }

    @Test
    void connectionMatchingThroughExactAndPatternSubscriptionsReceivesOnceWithFromMetadataIfAnyAsked() {
        String root = channel("both");
        WsProbe listener = pk();
        subscribe(listener, root + "/x");
        subscribe(listener, root + "/*", true);
        WsProbe alice = jwt(server.tokenFor(sub("alice")).peerMetadata("{\"n\":\"A\"}"));
        alice.sendFrame("type", "publish", "channel", root + "/x", "data", 1, "requestId", "m");
        expectAck(alice, "m");
        JsonNode message = listener.expectType("message");
        assertThat(message.get("channel").asString()).isEqualTo(root + "/x");
        assertThat(message.get("fromMetadata")).isEqualTo(WsProbe.parse("{\"n\":\"A\"}"));
        listener.expectNothing(QUIET);
    }

    @Test
    void publishNeverExpandsWildcards() {
        String root = channel("lit");
        WsProbe concrete = pk();
        subscribe(concrete, root + "/a");
        WsProbe literal = pk();
        subscribe(literal, root + "/*");
        WsProbe publisher = pk();
        publisher.sendFrame("type", "publish", "channel", root + "/*", "data", "star", "requestId", "st");
        expectAck(publisher, "st");
        JsonNode message = literal.expectType("message");
        assertThat(message.get("channel").asString()).isEqualTo(root + "/*");
        concrete.expectNothing(QUIET);
    }

    @Test
    void patternSubscriptionsCountTowardsTheHundredCap() {
        WsProbe p = pk();
        String root = channel("capw");
        for (int i = 0; i < 100; i++) {
            subscribe(p, root + "/" + i + "/*");
        }
        p.sendFrame("type", "subscribe", "channel", root + "/**", "requestId", "over");
        expectError(p, "channel_limit_exceeded", "over");
    }
}
