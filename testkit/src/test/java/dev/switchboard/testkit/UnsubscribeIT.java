package dev.switchboard.testkit;

import static dev.switchboard.testkit.TestServer.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** protocol.md §4.2: unsubscribe is idempotent, needs no permission and ends membership. */
class UnsubscribeIT extends ServerTestBase {

    @Test
    void unsubscribeAcksAndOthersSeeLeftWithMetadata() {
        String c = channel("u");
        WsProbe bob = pk();
        String alice = sub("alice");
        WsProbe a = jwt(server.tokenFor(alice).peerMetadata("{\"username\":\"Alice\"}"));
        subscribe(bob, c);
        subscribe(a, c);
        expectPresence(bob, c, List.of(alice), List.of());
        a.sendFrame("type", "unsubscribe", "channel", c, "requestId", "u1");
        expectAck(a, "u1");
        JsonNode left = expectPresence(bob, c, List.of(), List.of(alice));
        assertThat(entry(left.get("left"), alice).get("metadata")).isEqualTo(WsProbe.parse("{\"username\":\"Alice\"}"));
        a.expectNothing(QUIET);
    }

    @Test
    void unsubscribingAChannelNeverSubscribedIsAcked() {
        WsProbe p = pk();
        p.sendFrame("type", "unsubscribe", "channel", channel("never"), "requestId", "n1");
        expectAck(p, "n1");
        p.expectNothing(QUIET);
    }

    @Test
    void unsubscribeTwiceAcksBothAndAnnouncesLeftOnce() {
        String c = channel("twice");
        WsProbe a = pk();
        WsProbe b = pk();
        subscribe(a, c);
        subscribe(b, c);
        expectPresence(a, c, List.of(b.peerId()), List.of());
        b.sendFrame("type", "unsubscribe", "channel", c, "requestId", "t1");
        b.sendFrame("type", "unsubscribe", "channel", c, "requestId", "t2");
        expectAck(b, "t1");
        expectAck(b, "t2");
        expectPresence(a, c, List.of(), List.of(b.peerId()));
        a.expectNothing(QUIET);
    }

    @Test
    void invalidChannelAnswersInvalidChannel() {
        WsProbe p = pk();
        p.sendFrame("type", "unsubscribe", "requestId", "i0");
        expectError(p, "invalid_channel", "i0");
        p.sendFrame("type", "unsubscribe", "channel", "", "requestId", "i1");
        expectError(p, "invalid_channel", "i1");
        p.sendFrame("type", "unsubscribe", "channel", "x".repeat(257), "requestId", "i2");
        expectError(p, "invalid_channel", "i2");
        p.sendFrame("type", "unsubscribe", "channel", "a\u0007", "requestId", "i3");
        expectError(p, "invalid_channel", "i3");
        p.sendFrame("type", "unsubscribe", "channel", 5, "requestId", "i4");
        expectError(p, "invalid_channel", "i4");
        p.sendFrame("type", "unsubscribe", "channel", "x".repeat(256), "requestId", "i5");
        expectAck(p, "i5");
    }

    @Test
    void unsubscribeNeedsNoPermissionNorAuthorizedOrUnreservedChannel() {
        WsProbe p = pk(PK_ROOMS);
        p.sendFrame("type", "unsubscribe", "channel", "lobby", "requestId", "np1");
        expectAck(p, "np1");
        p.sendFrame("type", "unsubscribe", "channel", "_metered/x", "requestId", "np2");
        expectAck(p, "np2");
        WsProbe q = pk(PK_NO_SUBSCRIBE);
        q.sendFrame("type", "unsubscribe", "channel", channel("c"), "requestId", "np3");
        expectAck(q, "np3");
    }

    @Test
    void noMessageForTheChannelFollowsTheUnsubscribeAck() {
        String c = channel("nomsg");
        WsProbe listener = pk();
        WsProbe publisher = pk();
        subscribe(listener, c);
        listener.sendFrame("type", "unsubscribe", "channel", c, "requestId", "stop");
        expectAck(listener, "stop");
        publisher.sendFrame("type", "publish", "channel", c, "data", "late", "requestId", "late");
        expectAck(publisher, "late");
        listener.expectNothing(QUIET);
    }
}
