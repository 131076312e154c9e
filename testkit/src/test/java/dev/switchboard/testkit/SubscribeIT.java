package dev.switchboard.testkit;

import static dev.switchboard.testkit.TestServer.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** protocol.md §4.1 and §6: subscribe validation order, ack-then-snapshot, idempotence and the 100 cap. */
class SubscribeIT extends ServerTestBase {

    @Test
    void subscribeAnswersAckThenAnEmptySnapshot() {
        WsProbe p = pk();
        String c = channel("s");
        p.sendFrame("type", "subscribe", "channel", c, "requestId", "s1");
        expectAck(p, "s1");
        expectPresence(p, c, List.of(), List.of());
        p.expectNothing(QUIET);
    }

    @Test
    void snapshotListsEveryOtherMemberWithMetadataButNeverTheSubscriber() {
        String c = channel("snap");
        WsProbe bob = pk();
        String alice = sub("alice");
        WsProbe a = jwt(server.tokenFor(alice).peerMetadata("{\"username\":\"Alice\"}"));
        subscribe(bob, c);
        subscribe(a, c);
        WsProbe carol = pk();
        JsonNode snapshot = subscribe(carol, c);
        assertPresence(snapshot, c, List.of(bob.peerId(), alice), List.of());
        assertThat(entry(snapshot.get("joined"), alice).get("metadata")).isEqualTo(WsProbe.parse("{\"username\":\"Alice\"}"));
        assertThat(fields(entry(snapshot.get("joined"), bob.peerId()))).containsExactly("peerId");
    }

    @Test
    void joinedDeltaIsSentToExistingMembersButNotToTheNewcomer() {
        String c = channel("delta");
        WsProbe a = pk();
        WsProbe b = pk();
        subscribe(a, c);
        assertPresence(subscribe(b, c), c, List.of(a.peerId()), List.of());
        expectPresence(a, c, List.of(b.peerId()), List.of());
        b.expectNothing(QUIET);
    }

    @Test
    void repeatedSubscribeGetsAFreshSnapshotAndDoesNotRebroadcastJoined() {
        String c = channel("again");
        WsProbe a = pk();
        WsProbe b = pk();
        subscribe(a, c);
        subscribe(b, c);
        expectPresence(a, c, List.of(b.peerId()), List.of());
        assertPresence(subscribe(b, c), c, List.of(a.peerId()), List.of());
        assertPresence(subscribe(b, c), c, List.of(a.peerId()), List.of());
        a.expectNothing(QUIET);
    }

    @Test
    void repeatedSubscribeAfterEveryoneLeftGetsAnEmptySnapshot() {
        String c = channel("empty");
        WsProbe a = pk();
        WsProbe b = pk();
        subscribe(a, c);
        subscribe(b, c);
        expectPresence(a, c, List.of(b.peerId()), List.of());
        b.close();
        expectPresence(a, c, List.of(), List.of(b.peerId()));
        assertPresence(subscribe(a, c), c, List.of(), List.of());
    }

    // ------------------------------------------------------------------------ invalid_channel

    @Test
    void channelOf255And256BytesIsAcceptedAnd257AnswersInvalidChannel() {
        WsProbe p = pk();
        String base = channel("len");
        subscribe(p, base + "x".repeat(255 - base.length()));
        subscribe(p, base + "y".repeat(256 - base.length()));
        p.sendFrame("type", "subscribe", "channel", base + "z".repeat(257 - base.length()), "requestId", "l257");
        expectError(p, "invalid_channel", "l257");
    }

    @Test
    void channelLengthIsMeasuredInUtf8Bytes() {
        WsProbe p = pk();
        String e255 = "é".repeat(127) + "a";
        String e256 = "é".repeat(128);
        String e257 = "é".repeat(128) + "a";
        assertThat(utf8Length(e255)).isEqualTo(255);
        subscribe(p, e255);
        subscribe(p, e256);
        p.sendFrame("type", "subscribe", "channel", e257, "requestId", "mb257");
        expectError(p, "invalid_channel", "mb257");
        p.sendFrame("type", "subscribe", "channel", "€".repeat(86), "requestId", "euro258");
        expectError(p, "invalid_channel", "euro258");
    }

    @Test
    void missingEmptyOrNonStringChannelAnswersInvalidChannel() {
        WsProbe p = pk();
        p.sendFrame("type", "subscribe", "requestId", "m");
        expectError(p, "invalid_channel", "m");
        p.sendFrame("type", "subscribe", "channel", "", "requestId", "e");
        expectError(p, "invalid_channel", "e");
        p.sendFrame("type", "subscribe", "channel", 7, "requestId", "n");
        expectError(p, "invalid_channel", "n");
        p.sendFrame("type", "subscribe", "channel", null, "requestId", "nl");
        expectError(p, "invalid_channel", "nl");
    }

    @Test
    void channelWithControlCharacterAnswersInvalidChannel() {
        WsProbe p = pk();
        for (String ctl : List.of("\u0000", "\u001f", "\n", "\u007f", "\u0080", "\u009f")) {
            p.sendFrame("type", "subscribe", "channel", "a" + ctl + "b", "requestId", "ctl");
            expectError(p, "invalid_channel", "ctl");
        }
        subscribe(p, "nbsp\u00a0" + channel("ok"));
    }

    @Test
    void channelNamesAreCaseSensitiveAndNotTrimmed() {
        String c = channel("Case");
        WsProbe a = pk();
        WsProbe b = pk();
        subscribe(a, c);
        assertPresence(subscribe(b, c.toLowerCase()), c.toLowerCase(), List.of(), List.of());
        assertPresence(subscribe(b, " " + c), " " + c, List.of(), List.of());
        a.expectNothing(QUIET);
    }

    // ------------------------------------------------------------------------ channel_reserved

    @Test
    void reservedPrefixesAnswerChannelReservedInAnyCase() {
        WsProbe p = pk();
        for (String c : List.of("_metered/x", "_internal/x", "_system/x", "_METERED/x", "_Internal/a/b", "_SYSTEM/")) {
            p.sendFrame("type", "subscribe", "channel", c, "requestId", "rv");
            expectError(p, "channel_reserved", "rv");
        }
        subscribe(p, "_metered" + channel("notreserved"));
        subscribe(p, "x/_metered/" + channel("y"));
    }

    @Test
    void invalidChannelIsCheckedBeforeReservedPrefix() {
        WsProbe p = pk();
        p.sendFrame("type", "subscribe", "channel", "_metered/\u0001", "requestId", "o1");
        expectError(p, "invalid_channel", "o1");
    }

    @Test
    void reservedPrefixIsCheckedBeforeTheSubscribeAction() {
        WsProbe p = pk(PK_NO_SUBSCRIBE);
        p.sendFrame("type", "subscribe", "channel", "_system/x", "requestId", "o2");
        expectError(p, "channel_reserved", "o2");
    }

    // ------------------------------------------------------------------------ action / authorization

    @Test
    void subscribeWithoutSubscribeActionAnswersActionNotPermitted() {
        WsProbe p = pk(PK_NO_SUBSCRIBE);
        p.sendFrame("type", "subscribe", "channel", channel("c"), "requestId", "na");
        expectError(p, "action_not_permitted", "na");
    }

    @Test
    void tokenPermissionsNarrowTheKeyActions() {
        WsProbe p = jwt(server.tokenFor(sub("narrow")).permissions("publish"));
        p.sendFrame("type", "subscribe", "channel", channel("c"), "requestId", "np");
        expectError(p, "action_not_permitted", "np");
    }

    @Test
    void emptyPermissionsClaimDoesNotNarrow() {
        WsProbe p = jwt(server.tokenFor(sub("empty")).permissions(List.of()));
        subscribe(p, channel("c"));
    }

    @Test
    void actionIsCheckedBeforeChannelAuthorization() {
        WsProbe p = jwt(server.tokenFor(sub("order")).permissions("publish").channels("only-this"));
        p.sendFrame("type", "subscribe", "channel", "something-else", "requestId", "o3");
        expectError(p, "action_not_permitted", "o3");
    }

    @Test
    void subscribeToUnauthorizedChannelAnswersChannelNotAuthorized() {
        WsProbe p = pk(PK_ROOMS);
        p.sendFrame("type", "subscribe", "channel", "lobby", "requestId", "u1");
        expectError(p, "channel_not_authorized", "u1");
        p.sendFrame("type", "subscribe", "channel", "room-1/nested", "requestId", "u2");
        expectError(p, "channel_not_authorized", "u2");
        subscribe(p, "room-" + sub("ok"));
        expectOpenWithNothingPending(p);
    }

    @Test
    void tokenChannelsClaimNarrowsTheKeyPatterns() {
        WsProbe p = jwt(server.tokenFor(sub("chan")).channels("allowed-*", "exact/one"));
        subscribe(p, "allowed-" + sub("x"));
        subscribe(p, "exact/one");
        p.sendFrame("type", "subscribe", "channel", "other", "requestId", "tc");
        expectError(p, "channel_not_authorized", "tc");
    }

    @Test
    void emptyChannelsClaimDoesNotNarrow() {
        WsProbe p = jwt(server.tokenFor(sub("empty")).channels(List.of()));
        subscribe(p, channel("anything"));
    }

    // ------------------------------------------------------------------------ channel_limit_exceeded

    @Test
    void ninetyNineAndOneHundredSubscriptionsSucceedAndTheHundredAndFirstAnswersChannelLimitExceeded() {
        WsProbe p = pk(PK_ROOMS);
        String prefix = "room-" + sub("cap") + "-";
        for (int i = 1; i <= 99; i++) {
            subscribe(p, prefix + i);
        }
        subscribe(p, prefix + 100);
        p.sendFrame("type", "subscribe", "channel", prefix + 101, "requestId", "c101");
        expectError(p, "channel_limit_exceeded", "c101");
        // A repeated subscribe at the cap is idempotent and does not count again.
        assertPresence(subscribe(p, prefix + 50), prefix + 50, List.of(), List.of());
        // Authorization (step 4) is checked before the cap (step 5).
        p.sendFrame("type", "subscribe", "channel", "lobby", "requestId", "c-auth");
        expectError(p, "channel_not_authorized", "c-auth");
        // Unsubscribing frees a slot.
        p.sendFrame("type", "unsubscribe", "channel", prefix + 1, "requestId", "un1");
        expectAck(p, "un1");
        subscribe(p, prefix + 101);
        p.sendFrame("type", "subscribe", "channel", prefix + 102, "requestId", "c102");
        expectError(p, "channel_limit_exceeded", "c102");
    }

    // ------------------------------------------------------------------------ includeSenderMetadata

    @Test
    void lastSubscribeWinsForIncludeSenderMetadata() {
        String c = channel("ism");
        WsProbe listener = pk();
        WsProbe alice = jwt(server.tokenFor(sub("alice")).peerMetadata("{\"username\":\"Alice\"}"));
        subscribe(listener, c, true);
        alice.sendFrame("type", "publish", "channel", c, "data", 1);
        assertThat(listener.expectType("message").get("fromMetadata"))
                .isEqualTo(WsProbe.parse("{\"username\":\"Alice\"}"));
        subscribe(listener, c, false);
        alice.sendFrame("type", "publish", "channel", c, "data", 2);
        assertThat(listener.expectType("message").has("fromMetadata")).isFalse();
        subscribe(listener, c, true);
        alice.sendFrame("type", "publish", "channel", c, "data", 3);
        assertThat(listener.expectType("message").has("fromMetadata")).isTrue();
    }

    @Test
    void nonBooleanIncludeSenderMetadataIsTreatedAsFalse() {
        String c = channel("ism");
        WsProbe listener = pk();
        WsProbe alice = jwt(server.tokenFor(sub("alice")).peerMetadata("{\"username\":\"Alice\"}"));
        listener.sendFrame("type", "subscribe", "channel", c, "requestId", "nb", "includeSenderMetadata", "true");
        expectAck(listener, "nb");
        listener.expectType("presence");
        alice.sendFrame("type", "publish", "channel", c, "data", 1);
        assertThat(listener.expectType("message").has("fromMetadata")).isFalse();
    }
}
