package dev.switchboard.core;

import static dev.switchboard.core.Frames.ack;
import static dev.switchboard.core.Frames.direct;
import static dev.switchboard.core.Frames.joined;
import static dev.switchboard.core.Frames.left;
import static dev.switchboard.core.Frames.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.core.cluster.MemoryBus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two nodes of one process on the in-memory engine behave as one server: publish, presence, send, kick and usage
 * across them. What a node receives from the other arrives on the bus's thread, so the tests await it and close
 * with a barrier (a frame from the same sender after everything else).
 */
class MemoryClusterTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final MemoryBus bus = new MemoryBus();
    private final TestNode one = TestNode.directIo(bus.join("one"));
    private final TestNode two = TestNode.directIo(bus.join("two"));

    @AfterEach
    void leave() {
        one.node.cluster().close();
        two.node.cluster().close();
    }

    /** Everything {@code client} receives until {@code last} arrives, which must be among it. */
    private static List<String> until(TestNode.Client client, String last) {
        List<String> frames = new ArrayList<>();
        await().atMost(WAIT).until(() -> {
            frames.addAll(client.take());
            return frames.contains(last);
        });
        return frames;
    }

    @Test
    void aPublishReachesTheOtherNodesSubscribersOnceAndInOrderAndPresenceIsOneRoster() {
        var alice = one.connect("alice").subscribe("room", "s1");
        assertThat(alice.take()).containsExactly(ack("s1"), joined("room"));
        var bob = two.connect("bob").subscribe("room", "s2");
        assertThat(bob.take()).containsExactly(ack("s2"), joined("room", "alice"));
        assertThat(until(alice, joined("room", "bob"))).containsExactly(joined("room", "bob"));

        for (int i = 0; i < 50; i++) {
            bob.publish("room", Integer.toString(i));
        }
        bob.publish("room", "\"end\"");
        List<String> got = until(alice, message("room", "bob", "\"end\""));
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            expected.add(message("room", "bob", Integer.toString(i)));
        }
        expected.add(message("room", "bob", "\"end\""));
        assertThat(got).isEqualTo(expected);
        assertThat(bob.take()).as("no echo").isEmpty();
    }

    @Test
    void tabsOnBothNodesAreOneMember() {
        var watcher = one.connect("watcher").subscribe("room", "w");
        watcher.take();
        var tabOne = one.connect("carol").subscribe("room", "t1");
        assertThat(watcher.take()).containsExactly(joined("room", "carol"));
        var tabTwo = two.connect("carol").subscribe("room", "t2");
        assertThat(tabTwo.take()).as("carol, here and there, is herself").containsExactly(ack("t2"), joined("room", "watcher"));
        // a message of tab two after its join: once it is here, node one knows carol is on node two too
        tabTwo.publish("room", "\"hi\"");
        assertThat(until(watcher, message("room", "carol", "\"hi\""))).containsExactly(message("room", "carol", "\"hi\""));
        tabOne.take();
        tabOne.unsubscribe("room", "u1");
        var dave = two.connect("dave").subscribe("room", "d"); // a barrier: dave's join comes after carol's changes
        assertThat(until(watcher, joined("room", "dave"))).containsExactly(joined("room", "dave"));
        tabTwo.unsubscribe("room", "u2");
        assertThat(until(watcher, left("room", "carol"))).containsExactly(left("room", "carol"));
        assertThat(until(dave, left("room", "carol"))).as("dave, beside carol's last tab, sees her once, then gone")
                .containsExactly(ack("d"), joined("room", "watcher", "carol"), left("room", "carol"));
    }

    @Test
    void sendAndKickFindThePeerOnTheOtherNode() {
        var alice = one.connect("alice");
        var bob = two.connect("bob");
        alice.direct("bob", "{\"sdp\":1}", "d1");
        assertThat(until(alice, ack("d1"))).containsExactly(ack("d1"));
        assertThat(until(bob, direct("alice", "{\"sdp\":1}"))).containsExactly(direct("alice", "{\"sdp\":1}"));
        alice.direct("nobody", "1", "d2");
        await().atMost(WAIT).untilAsserted(() -> {
            List<String> frames = alice.take();
            assertThat(frames).hasSize(1);
            assertThat(TestNode.errorCode(frames.getFirst())).isEqualTo("peer_not_found");
        });

        assertThat(one.node.kick(TestNode.APP, "bob").toCompletableFuture().join()).isEqualTo(1);
        await().atMost(WAIT).until(() -> bob.closeCode() != null);
        assertThat(bob.closeCode()).isEqualTo(4020);
    }

    @Test
    void usageCountsBothNodesAfterAReport() {
        one.connect("a1");
        one.connect("a2");
        two.connect("b1").publish("room", "1");
        one.scheduler.advance(Duration.ofSeconds(1)); // each node reports once a second
        two.scheduler.advance(Duration.ofSeconds(1));
        await().atMost(WAIT).untilAsserted(() -> {
            one.scheduler.advance(Duration.ofSeconds(1));
            Usage usage = one.node.usage(TestNode.APP);
            assertThat(usage.concurrentNow()).isEqualTo(3);
            assertThat(usage.messagesUsed()).isEqualTo(1);
        });
    }
}
