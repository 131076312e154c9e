package dev.switchboard.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.spi.Cluster;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * What every {@link dev.switchboard.core.spi.PeerRouter} must do: hand a direct frame to each other node holding
 * the peer and say how many, close the peer on each of them and add up how many connections closed, and forget a
 * node's peer when it unregisters or leaves.
 */
public abstract class PeerRouterContract extends ThreeNodes {

    private static byte[] frame(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Registers and waits until the registration is in effect, as the node does before a welcome. */
    private void register(Cluster node, String peerId) {
        join(node.peers().register(app, peerId));
    }

    @Test
    void aDirectFrameReachesEveryOtherNodeHoldingThePeerAndIsCounted() {
        register(b, "bob");
        register(c, "bob");
        assertThat(join(a.peers().send(app, "alice", "bob", frame("{\"offer\":1}")))).isEqualTo(2);
        assertThat(inB.nextDirect()).isEqualTo(app + "/bob:{\"offer\":1}");
        assertThat(inC.nextDirect()).isEqualTo(app + "/bob:{\"offer\":1}");
        assertThat(join(a.peers().send(app, "alice", "nobody", frame("x")))).isZero();
        assertThat(join(a.peers().send(app + "-other", "alice", "bob", frame("x")))).as("apps are separate").isZero();
    }

    @Test
    void theSendingNodesOwnConnectionsAreNotCounted() {
        register(a, "alice");
        assertThat(join(a.peers().send(app, "alice", "alice", frame("x")))).isZero();
        register(b, "alice");
        assertThat(join(a.peers().send(app, "alice", "alice", frame("y")))).isEqualTo(1);
        assertThat(inB.nextDirect()).isEqualTo(app + "/alice:y");
    }

    @Test
    void anUnregisteredOrLeftNodeNoLongerHoldsThePeer() {
        register(b, "bob");
        register(c, "bob");
        b.peers().unregister(app, "bob");
        c.close();
        assertThat(join(a.peers().send(app, "alice", "bob", frame("x")))).isZero();
    }

    @Test
    void aKickClosesThePeerOnEveryOtherNodeAndAddsUpTheConnections() {
        register(b, "bob");
        register(c, "bob");
        inC.connectionsPerKick = 2;
        assertThat(join(a.peers().kick(app, "bob"))).isEqualTo(3);
        assertThat(inB.nextKick()).isEqualTo(app + "/bob");
        assertThat(inC.nextKick()).isEqualTo(app + "/bob");
        assertThat(join(a.peers().kick(app, "nobody"))).isZero();
    }
}
