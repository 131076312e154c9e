package dev.switchboard.core;

import static dev.switchboard.core.Frames.ack;
import static dev.switchboard.core.Frames.joined;
import static dev.switchboard.core.Frames.left;
import static dev.switchboard.core.TestNode.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.auth.Action;
import dev.switchboard.protocol.Limits;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** protocol.md §4.1, §4.2, §7: subscribe, unsubscribe and presence as seen by the connections. */
class SubscribeTest {
    private final TestNode fx = new TestNode();

    @Test
    void subscribeEnqueuesJoinedDeltaToOthersBeforeAckThenSnapshot() {
        var alice = fx.connect("alice").subscribe("room", "a1");
        var bob = fx.connect("bob");
        alice.take();
        List<String> journal = Collections.synchronizedList(new ArrayList<>());
        alice.transport.journal = journal;
        bob.transport.journal = journal;

        bob.subscribe("room", "b1");

        assertThat(alice.take()).containsExactly(joined("room", "bob"));
        assertThat(bob.take()).containsExactly(ack("b1"), joined("room", "alice"));
        // Enqueue order across connections: the delta to alice, then bob's ack, then bob's snapshot.
        assertThat(journal).containsExactly(alice.transport.name, bob.transport.name, bob.transport.name);
    }

    @Test
    void firstSubscriberGetsAckThenEmptySnapshot() {
        var alice = fx.connect("alice").subscribe("room", "a1");
        assertThat(alice.take()).containsExactly(ack("a1"), joined("room"));
    }

    @Test
    void subscribeWithoutRequestIdGetsNoAckButStillTheSnapshot() {
        var alice = fx.connect("alice").subscribe("room");
        assertThat(alice.take()).containsExactly(joined("room"));
    }

    @Test
    void repeatedSubscribeSendsFreshSnapshotWithoutSecondJoined() {
        var alice = fx.connect("alice").subscribe("room", "a1");
        var bob = fx.connect("bob").subscribe("room", "b1");
        alice.take();
        bob.take();

        bob.subscribe("room", "b2");

        assertThat(alice.take()).isEmpty();
        assertThat(bob.take()).containsExactly(ack("b2"), joined("room", "alice"));
        alice.unsubscribe("room", "u1");
        bob.take();
        bob.subscribe("room", "b3");
        assertThat(bob.take()).as("an empty snapshot tells a resubscriber everybody left")
                .containsExactly(ack("b3"), joined("room"));
    }

    @Test
    void repeatedSubscribeLastIncludeSenderMetadataWins() {
        var sender = fx.connectWithMetadata("alice", "{\"n\":1}");
        var bob = fx.connect("bob");
        bob.send("{\"type\":\"subscribe\",\"channel\":\"room\",\"includeSenderMetadata\":true}");
        sender.publish("room", "1");
        bob.send("{\"type\":\"subscribe\",\"channel\":\"room\"}");
        sender.publish("room", "2");
        bob.send("{\"type\":\"subscribe\",\"channel\":\"room\",\"includeSenderMetadata\":true}");
        sender.publish("room", "3");

        assertThat(bob.take()).filteredOn(f -> TestNode.type(f).equals("message")).containsExactly(
                Frames.message("room", "alice", "1", "{\"n\":1}"),
                Frames.message("room", "alice", "2"),
                Frames.message("room", "alice", "3", "{\"n\":1}"));
    }

    @Test
    void channelLimitExceededAtThe101stDistinctSubscription() {
        var alice = fx.connect("alice");
        for (int i = 0; i < Limits.MAX_SUBSCRIPTIONS; i++) {
            alice.subscribe("c" + i, "s" + i);
        }
        assertThat(alice.take()).filteredOn(f -> TestNode.type(f).equals("ack")).hasSize(Limits.MAX_SUBSCRIPTIONS);

        alice.subscribe("c100", "over");

        assertThat(alice.take()).singleElement().satisfies(f -> {
            assertThat(errorCode(f)).isEqualTo("channel_limit_exceeded");
            assertThat(f).contains("\"requestId\":\"over\"");
        });
        assertThat(fx.hub().roomCount()).isEqualTo(Limits.MAX_SUBSCRIPTIONS);
    }

    @Test
    void repeatedSubscribeIsNotCountedTwiceAgainstTheCap() {
        var alice = fx.connect("alice");
        for (int i = 0; i < Limits.MAX_SUBSCRIPTIONS - 1; i++) {
            alice.subscribe("c" + i);
        }
        alice.subscribe("c0").subscribe("c0");
        alice.subscribe("c99", "last");
        alice.take();
        alice.subscribe("c5", "again");
        assertThat(alice.take()).containsExactly(ack("again"), joined("c5"));
        alice.unsubscribe("c5", "u");
        alice.subscribe("fresh", "f");
        assertThat(alice.take()).contains(ack("f"));
    }

    @Test
    void reservedPrefixIsRefusedBeforeActionAndAuthorisation() {
        var noSubscribe = fx.connect("alice", EnumSet.of(Action.PUBLISH));
        noSubscribe.subscribe("_METERED/x", "r1");
        noSubscribe.subscribe("room", "r2");
        assertThat(noSubscribe.take()).extracting(TestNode::errorCode)
                .containsExactly("channel_reserved", "action_not_permitted");
    }

    @Test
    void missingActionIsReportedBeforeChannelAuthorisation() {
        var narrowed = fx.connectToken(fx.token("alice", List.of("allowed"), List.of("publish"), null));
        narrowed.subscribe("elsewhere", "r1");
        assertThat(narrowed.take()).extracting(TestNode::errorCode).containsExactly("action_not_permitted");

        var subscriber = fx.connectToken(fx.token("bob", List.of("allowed"), List.of("subscribe"), null));
        subscriber.subscribe("elsewhere", "r2").subscribe("allowed", "r3");
        assertThat(subscriber.take()).first().satisfies(f -> {
            assertThat(errorCode(f)).isEqualTo("channel_not_authorized");
            assertThat(f).contains("\"requestId\":\"r2\"");
        });
        assertThat(fx.hub().roomCount()).isEqualTo(1);
    }

    @Test
    void connectionWithoutPresenceActionGetsNoPresenceFramesButIsAMember() {
        var silent = fx.connect("mute", EnumSet.of(Action.SUBSCRIBE));
        var bob = fx.connect("bob").subscribe("room");
        bob.take();

        silent.subscribe("room", "s1");
        bob.subscribe("room2");
        silent.subscribe("room2");

        assertThat(silent.take()).containsExactly(ack("s1"));
        assertThat(bob.take()).containsExactly(joined("room", "mute"), joined("room2"), joined("room2", "mute"));
        assertThat(fx.node.peers(TestNode.APP, "room").toCompletableFuture().join()).extracting(p -> p.peerId()).containsExactly("bob", "mute");
    }

    @Test
    void unsubscribeIsIdempotentAndAlwaysAcked() {
        var alice = fx.connect("alice").subscribe("room");
        var bob = fx.connect("bob").subscribe("room");
        alice.take();
        bob.take();

        bob.unsubscribe("room", "u1").unsubscribe("room", "u2").unsubscribe("never", "u3");

        assertThat(bob.take()).containsExactly(ack("u1"), ack("u2"), ack("u3"));
        assertThat(alice.take()).containsExactly(left("room", "bob"));
    }

    @Test
    void unsubscribeNeedsNoPermission() {
        var nothing = fx.connect("alice", EnumSet.of(Action.PUBLISH));
        nothing.unsubscribe("room", "u1");
        assertThat(nothing.take()).containsExactly(ack("u1"));
    }

    @Test
    void leftIsAnnouncedOnlyWhenTheLastConnectionOfAPeerLeaves() {
        var observer = fx.connect("obs").subscribe("room");
        var tab1 = fx.connect("alice").subscribe("room");
        var tab2 = fx.connect("alice").subscribe("room");
        assertThat(observer.take()).as("one joined for two tabs").containsExactly(joined("room"),
                joined("room", "alice"));
        assertThat(tab2.take()).as("second tab's snapshot never lists its own peerId").containsExactly(
                joined("room", "obs"));
        tab1.take();

        tab1.unsubscribe("room", "u1");
        assertThat(observer.take()).isEmpty();
        tab2.session.onTransportClosed();
        fx.settle();
        assertThat(observer.take()).containsExactly(left("room", "alice"));
        assertThat(tab1.take()).as("no presence about itself").containsExactly(ack("u1"));
    }

    @Test
    void snapshotListsEachOtherPeerOnceWithTheMetadataOfTheConnectionThatCreatedTheMembership() {
        fx.connectWithMetadata("alice", "{\"tab\":1}").subscribe("room");
        fx.connectWithMetadata("alice", "{\"tab\":2}").subscribe("room");
        var bob = fx.connect("bob").subscribe("room", "b");
        assertThat(bob.take()).containsExactly(ack("b"), joined("room", "{\"peerId\":\"alice\",\"metadata\":{\"tab\":1}}"));
    }

    @Test
    void roomsAreFreedWhenTheirLastSubscriberLeaves() {
        var alice = fx.connect("alice").subscribe("a").subscribe("b").subscribe("p/*");
        var bob = fx.connect("bob").subscribe("a");
        assertThat(fx.hub().roomCount()).isEqualTo(3);

        alice.unsubscribe("a", "u").unsubscribe("p/*", "u2");
        assertThat(fx.hub().roomCount()).isEqualTo(2);
        alice.session.onTransportClosed();
        bob.session.onTransportClosed();
        fx.settle();
        assertThat(fx.hub().roomCount()).isZero();
        // A fresh subscriber of a freed pattern room is routed to again.
        var carol = fx.connect("carol").subscribe("p/*");
        fx.connect("dave").publish("p/x", "1");
        assertThat(carol.take()).contains(Frames.message("p/x", "dave", "1"));
    }

    @Test
    void appsDoNotSeeEachOthersPresence() {
        var alice = fx.connect("alice").subscribe("room");
        alice.take();
        RecordingTransport t = new RecordingTransport();
        var stranger = fx.open(null, TestNode.OTHER_PUBLISHABLE_KEY, t).subscribe("room", "s");
        assertThat(stranger.take()).containsExactly(ack("s"), joined("room"));
        assertThat(alice.take()).isEmpty();
    }
}
