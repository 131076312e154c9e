package dev.switchboard.testkit;

import static dev.switchboard.testkit.TestServer.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** protocol.md §7 and §11: membership per peerId, deltas, the presence action, and kicks. */
class PresenceIT extends ServerTestBase {

    private static final String ALICE_META = "{\"username\":\"Alice\",\"avatar\":{\"c\":[1,2]}}";

    @Test
    void presenceEntriesCarryPeerMetadataOnlyForPeersThatHaveIt() {
        String c = channel("shape");
        WsProbe watcher = pk();
        subscribe(watcher, c);
        String alice = sub("alice");
        WsProbe a = jwt(server.tokenFor(alice).peerMetadata(ALICE_META));
        subscribe(a, c);
        JsonNode joined = expectPresence(watcher, c, List.of(alice), List.of());
        assertThat(joined.get("joined").get(0).get("metadata")).isEqualTo(WsProbe.parse(ALICE_META));
        WsProbe bob = pk();
        subscribe(bob, c);
        JsonNode joinedBob = expectPresence(watcher, c, List.of(bob.peerId()), List.of());
        assertThat(fields(joinedBob.get("joined").get(0))).containsExactly("peerId");
    }

    @Test
    void leftIsEmittedWithMetadataWhenTheSocketCloses() {
        String c = channel("close");
        WsProbe watcher = pk();
        subscribe(watcher, c);
        String alice = sub("alice");
        WsProbe a = jwt(server.tokenFor(alice).peerMetadata(ALICE_META));
        subscribe(a, c);
        expectPresence(watcher, c, List.of(alice), List.of());
        a.close();
        JsonNode left = expectPresence(watcher, c, List.of(), List.of(alice));
        assertThat(left.get("left").get(0).get("metadata")).isEqualTo(WsProbe.parse(ALICE_META));
    }

    @Test
    void leftIsEmittedWhenTheSocketIsAbortedWithoutCloseHandshake() {
        String c = channel("abort");
        WsProbe watcher = pk();
        subscribe(watcher, c);
        WsProbe b = pk();
        subscribe(b, c);
        expectPresence(watcher, c, List.of(b.peerId()), List.of());
        b.abort();
        expectPresence(watcher, c, List.of(), List.of(b.peerId()));
    }

    @Test
    void twoTabsOfOnePeerJoinOnceAndLeaveWhenTheLastTabCloses() {
        String c = channel("tabs");
        WsProbe watcher = pk();
        subscribe(watcher, c);
        String alice = sub("alice");
        WsProbe tab1 = jwt(server.tokenFor(alice).peerMetadata("{\"v\":1}"));
        WsProbe tab2 = jwt(server.tokenFor(alice).peerMetadata("{\"v\":2}"));
        assertPresence(subscribe(tab1, c), c, List.of(watcher.peerId()), List.of());
        expectPresence(watcher, c, List.of(alice), List.of());
        JsonNode secondSnapshot = subscribe(tab2, c);
        assertPresence(secondSnapshot, c, List.of(watcher.peerId()), List.of());
        watcher.expectNothing(QUIET);

        WsProbe late = pk();
        JsonNode snapshot = subscribe(late, c);
        assertThat(peerIds(snapshot.get("joined"))).containsExactlyInAnyOrder(watcher.peerId(), alice);
        assertThat(entry(snapshot.get("joined"), alice).get("metadata"))
                .as("metadata of the connection that created the membership").isEqualTo(WsProbe.parse("{\"v\":1}"));
        expectPresence(watcher, c, List.of(late.peerId()), List.of());
        expectPresence(tab1, c, List.of(late.peerId()), List.of());
        expectPresence(tab2, c, List.of(late.peerId()), List.of());

        tab1.close();
        watcher.expectNothing(QUIET);
        tab2.close();
        expectPresence(watcher, c, List.of(), List.of(alice));
        expectPresence(late, c, List.of(), List.of(alice));
    }

    @Test
    void subscriberNeverReceivesPresenceAboutItsOwnPeerId() {
        String c = channel("self");
        String alice = sub("alice");
        WsProbe tab1 = jwt(alice);
        WsProbe tab2 = jwt(alice);
        assertPresence(subscribe(tab1, c), c, List.of(), List.of());
        assertPresence(subscribe(tab2, c), c, List.of(), List.of());
        tab2.close();
        tab1.expectNothing(QUIET);
    }

    @Test
    void sessionWithoutPresenceActionGetsNoSnapshotNorDeltasButIsVisibleToOthers() {
        String c = channel("q6");
        WsProbe watcher = pk();
        subscribe(watcher, c);
        WsProbe blind = pk(PK_NO_PRESENCE);
        subscribeWithoutPresence(blind, c);
        expectPresence(watcher, c, List.of(blind.peerId()), List.of());
        WsProbe third = pk();
        assertThat(peerIds(subscribe(third, c).get("joined"))).containsExactlyInAnyOrder(watcher.peerId(), blind.peerId());
        expectPresence(watcher, c, List.of(third.peerId()), List.of());
        third.sendFrame("type", "publish", "channel", c, "data", "still delivered", "requestId", "m");
        expectAck(third, "m");
        assertThat(blind.expectType("message").get("data").asString()).isEqualTo("still delivered");
        third.close();
        watcher.expectType("message");
        expectPresence(watcher, c, List.of(), List.of(third.peerId()));
        blind.expectNothing(QUIET);
        blind.sendFrame("type", "subscribe", "channel", c, "requestId", "again");
        expectAck(blind, "again");
        blind.expectNothing(QUIET);
        blind.close();
        expectPresence(watcher, c, List.of(), List.of(blind.peerId()));
    }

    @Test
    void presenceDeltaForAChannelNeverPrecedesTheSubscribeAck() {
        for (int round = 0; round < 20; round++) {
            String c = channel("race");
            WsProbe a = pk();
            WsProbe b = pk();
            a.sendFrame("type", "subscribe", "channel", c, "requestId", "a");
            b.sendFrame("type", "subscribe", "channel", c, "requestId", "b");
            for (WsProbe p : List.of(a, b)) {
                JsonNode first = p.expect();
                assertThat(first.get("type").asString()).as("first frame after subscribe is the ack").isEqualTo("ack");
                JsonNode snapshot = p.expectType("presence");
                WsProbe other = p == a ? b : a;
                if (snapshot.get("joined").isEmpty()) {
                    expectPresence(p, c, List.of(other.peerId()), List.of());
                } else {
                    assertPresence(snapshot, c, List.of(other.peerId()), List.of());
                }
            }
            a.close();
            b.close();
        }
    }

    // ------------------------------------------------------------------------ kick (§11)

    @Test
    void adminKickClosesEveryConnectionOfThePeerWith4020AndOthersSeeLeft() {
        String c = channel("kick");
        WsProbe watcher = pk();
        subscribe(watcher, c);
        String alice = sub("alice");
        WsProbe tab1 = jwt(server.tokenFor(alice).peerMetadata("{\"u\":1}"));
        WsProbe tab2 = jwt(alice);
        subscribe(tab1, c);
        expectPresence(watcher, c, List.of(alice), List.of());
        subscribe(tab2, c);
        assertThat(server.node().kick(APP_A, alice)).isCompletedWithValue(2);
        assertReasonFits(tab1.expectClose(4020));
        assertReasonFits(tab2.expectClose(4020));
        JsonNode left = expectPresence(watcher, c, List.of(), List.of(alice));
        assertThat(left.get("left").get(0).get("metadata")).isEqualTo(WsProbe.parse("{\"u\":1}"));
        expectOpenWithNothingPending(watcher);
    }
}
