package dev.switchboard.testkit;

import static dev.switchboard.testkit.TestServer.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** auth.md §1: channels, peerIds, presence and direct routing are scoped to one app. */
class IsolationIT extends ServerTestBase {

    @Test
    void sameChannelNameInTwoAppsSharesNeitherPresenceNorMessages() {
        String c = channel("shared");
        WsProbe a = pk(PK_ALL);
        WsProbe b = pk(PK_B);
        subscribe(a, c);
        assertPresence(subscribe(b, c), c, List.of(), List.of());
        b.sendFrame("type", "publish", "channel", c, "data", "from b", "requestId", "p");
        expectAck(b, "p");
        a.expectNothing(QUIET);
        b.close();
        a.expectNothing(QUIET);
    }

    @Test
    void samePeerIdInTwoAppsIsTwoUnrelatedPeers() {
        String alice = sub("alice");
        String c = channel("same");
        WsProbe aliceA = jwt(server.tokenFor(alice));
        WsProbe aliceB = jwt(server.tokenFor(alice).key(SK_B));
        WsProbe otherA = pk(PK_ALL);
        WsProbe otherB = pk(PK_B);
        subscribe(aliceA, c);
        assertPresence(subscribe(aliceB, c), c, List.of(), List.of());
        otherA.sendFrame("type", "send", "to", alice, "data", "A", "requestId", "a");
        expectAck(otherA, "a");
        assertThat(aliceA.expectType("direct").get("data").asString()).isEqualTo("A");
        aliceB.expectNothing(QUIET);
        otherB.sendFrame("type", "send", "to", alice, "data", "B", "requestId", "b");
        expectAck(otherB, "b");
        assertThat(aliceB.expectType("direct").get("data").asString()).isEqualTo("B");
        aliceA.expectNothing(QUIET);
    }

    @Test
    void sendToAPeerOfAnotherAppAnswersPeerNotFound() {
        WsProbe inB = pk(PK_B);
        WsProbe inA = pk(PK_ALL);
        inA.sendFrame("type", "send", "to", inB.peerId(), "data", 1, "requestId", "x");
        expectError(inA, "peer_not_found", "x");
        inB.expectNothing(QUIET);
    }

    @Test
    void kickingAPeerInOneAppLeavesTheSamePeerIdInAnotherAppConnected() {
        String alice = sub("alice");
        WsProbe aliceA = jwt(server.tokenFor(alice));
        WsProbe aliceB = jwt(server.tokenFor(alice).key(SK_B));
        assertThat(server.node().kick(APP_A, alice)).isCompletedWithValue(1);
        aliceA.expectClose(4020);
        expectOpenWithNothingPending(aliceB);
    }
}
