package dev.switchboard.core;

import static dev.switchboard.core.Frames.ack;
import static dev.switchboard.core.Frames.joined;
import static dev.switchboard.core.Frames.left;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.auth.AppLimits;
import dev.switchboard.core.auth.ChannelRule;
import dev.switchboard.core.spi.Broker;
import dev.switchboard.core.spi.Cluster;
import dev.switchboard.core.spi.ClusterCounters;
import dev.switchboard.core.spi.PeerRouter;
import dev.switchboard.core.spi.PresenceStore;
import dev.switchboard.core.spi.Publication;
import dev.switchboard.core.spi.Streams;
import dev.switchboard.protocol.RawJson;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Test;

/**
 * A node of a cluster whose engine the test drives by hand: a room's first subscriber waits for the broker and
 * the listing, frames read meanwhile keep their order, deltas that raced the listing count only if newer, a
 * send waits for the router, a peer on two nodes is one member, and publishes to a channel with history go to the
 * store together up to the cap while anything else waits for their answers.
 */
class ClusterWaitTest {
    private static final String PING = "{\"type\":\"ping\"}";
    private static final String PONG = "{\"type\":\"pong\"}";

    private final Engine engine = new Engine();
    private final TestNode fx = new TestNode(engine);

    @Test
    void aSubscribeWaitsForTheBrokerAndTheListingAndFramesReadMeanwhileKeepTheirOrder() {
        var alice = fx.connect("alice");
        alice.subscribe("room", "s1").send(PING).publish("other", "1", "p1");
        assertThat(alice.take()).as("nothing until the room is ready here").isEmpty();
        assertThat(engine.calls).contains("subscribe room");

        engine.subscriptions.poll().complete(null);
        engine.listings.poll().complete(members(5, "bob"));
        fx.settle();
        assertThat(alice.take()).containsExactly(ack("s1"), joined("room", "bob"), PONG, ack("p1"));
        assertThat(engine.calls).containsSubsequence("subscribe room", "list room", "add room alice",
                "publish other");
    }

    @Test
    void deltasThatRacedTheListingCountOnlyIfNewerThanIt() {
        var alice = fx.connect("alice");
        alice.subscribe("room", "s1");
        engine.subscriptions.poll().complete(null);
        engine.presence.delta(delta(4, "carol", true)); // already in the listing below
        engine.presence.delta(delta(6, "dave", true)); // after it
        engine.listings.poll().complete(members(5, "bob", "carol"));
        fx.settle();
        assertThat(alice.take()).containsExactly(ack("s1"), joined("room", "bob", "carol", "dave"));

        engine.presence.delta(delta(7, "carol", false));
        engine.presence.delta(delta(3, "bob", false)); // older than what the room holds: ignored
        fx.settle();
        assertThat(alice.send(PING).take()).containsExactly(left("room", "carol"), PONG);
    }

    @Test
    void aConnectionThatClosesWhileItsSubscribeWaitsLeavesNoRoomBehind() {
        var alice = fx.connect("alice");
        alice.subscribe("room", "s1");
        alice.session.onTransportClosed();
        engine.subscriptions.poll().complete(null);
        engine.listings.poll().complete(members(1));
        fx.settle();
        assertThat(fx.hub().roomCount()).isZero();
        assertThat(engine.calls).contains("unsubscribe room").doesNotContain("add room alice");
    }

    @Test
    void aSendToAPeerNotHereWaitsForTheRouterAndRepliesInOrder() {
        var alice = fx.connect("alice");
        alice.direct("bob", "{\"sdp\":1}", "d1").send(PING);
        assertThat(alice.take()).isEmpty();
        engine.sends.poll().complete(1);
        fx.settle();
        assertThat(alice.take()).containsExactly(ack("d1"), PONG);

        alice.direct("nobody", "1", "d2").send(PING);
        engine.sends.poll().complete(0);
        fx.settle();
        List<String> frames = alice.take();
        assertThat(frames).hasSize(2);
        assertThat(TestNode.errorCode(frames.getFirst())).isEqualTo("peer_not_found");
        assertThat(frames.get(1)).isEqualTo(PONG);
    }

    @Test
    void aPeerWithConnectionsHereAndOnAnotherNodeIsOneMember() {
        var alice = fx.connect("alice");
        alice.subscribe("room", "s1");
        engine.subscriptions.poll().complete(null);
        engine.listings.poll().complete(members(1));
        fx.settle();
        assertThat(alice.take()).containsExactly(ack("s1"), joined("room"));

        engine.presence.delta(delta(2, "bob", true));
        var bob = fx.connect("bob").subscribe("room", "s2"); // the room is ready: no wait
        engine.presence.delta(delta(3, "bob", false)); // bob's tab elsewhere closes; bob is still here
        fx.settle();
        assertThat(alice.send(PING).take()).containsExactly(joined("room", "bob"), PONG);
        assertThat(bob.take()).containsExactly(ack("s2"), joined("room", "alice"));

        bob.unsubscribe("room", "u1");
        assertThat(alice.send(PING).take()).containsExactly(left("room", "bob"), PONG);
        assertThat(engine.calls).containsSubsequence("add room bob", "remove room bob");
    }

    @Test
    void publishesToAChannelWithHistoryGoOutTogetherUpToTheCapAndTheNextWaitsForAllTheirAnswers() {
        TestNode node = new TestNode(NodeSettings.defaults(), AppLimits.UNLIMITED, List.of("**"), engine,
                List.of(new ChannelRule("room-*", new ChannelRule.History(100, Duration.ofMinutes(5)), 0, null)));
        var alice = node.connect("alice");
        for (int i = 1; i <= Session.MAX_APPENDING + 1; i++) {
            alice.publish("room-1", Integer.toString(i), "p" + i);
        }
        assertThat(engine.appends).as("the one past the cap waits").hasSize(Session.MAX_APPENDING);
        engine.appends.poll().complete(0);
        node.settle();
        assertThat(engine.appends).as("it waits for all of them, not for a free place")
                .hasSize(Session.MAX_APPENDING - 1);
        while (!engine.appends.isEmpty()) {
            engine.appends.poll().complete(0);
        }
        node.settle();
        assertThat(engine.calls).last().isEqualTo("append room-1 " + (Session.MAX_APPENDING + 1));
        engine.appends.poll().complete(0);
        node.settle();
        assertThat(alice.take()).as("every publish acked").hasSize(Session.MAX_APPENDING + 1)
                .allSatisfy(frame -> assertThat(TestNode.type(frame)).isEqualTo("ack"));
    }

    private static PresenceStore.Members members(long version, String... peers) {
        List<PresenceStore.Member> list = new ArrayList<>();
        for (String peer : peers) {
            list.add(new PresenceStore.Member("elsewhere", peer, null));
        }
        return new PresenceStore.Members(version, list);
    }

    private static PresenceStore.Delta delta(long version, String peer, boolean joined) {
        return new PresenceStore.Delta(TestNode.APP, "room", version,
                new PresenceStore.Member("elsewhere", peer, null), joined);
    }

    /** An engine whose confirmations, listings and routing answers the test completes; it records the calls. */
    private static final class Engine implements Cluster, Broker, PresenceStore, PeerRouter, ClusterCounters,
            Streams {
        final List<String> calls = new ArrayList<>();
        /** Appends to streams not answered yet, oldest first. */
        final Deque<CompletableFuture<Integer>> appends = new ArrayDeque<>();
        final Deque<CompletableFuture<Void>> subscriptions = new ArrayDeque<>();
        final Deque<CompletableFuture<Members>> listings = new ArrayDeque<>();
        final Deque<CompletableFuture<Integer>> sends = new ArrayDeque<>();
        PresenceStore.Listener presence;

        @Override
        public String nodeId() {
            return "here";
        }

        @Override
        public boolean shared() {
            return true;
        }

        @Override
        public Broker broker() {
            return this;
        }

        @Override
        public PresenceStore presence() {
            return this;
        }

        @Override
        public PeerRouter peers() {
            return this;
        }

        @Override
        public ClusterCounters counters() {
            return this;
        }

        @Override
        public Streams streams() {
            return this;
        }

        @Override
        public CompletionStage<Integer> append(Publication publication, int size, long ttlMillis, boolean comesBack,
                                               boolean count, ToIntFunction<Publication> here) {
            calls.add("append " + publication.channel() + " " + publication.data());
            CompletableFuture<Integer> answered = new CompletableFuture<>();
            appends.add(answered);
            return answered;
        }

        @Override
        public CompletionStage<Range> read(String app, String channel, String epoch, Long after, int limit) {
            return CompletableFuture.completedFuture(new Range("e", 0, 1, List.of()));
        }

        @Override
        public void keepCursor(String app, String peerId, String channel, Cursor cursor) {
        }

        @Override
        public CompletionStage<Cursor> claimCursor(String app, String peerId, String channel, String epoch,
                                                   long nowMillis) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Cursor> takeOver(String app, String peerId, String channel) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void start(Broker.Inbound publications, PresenceStore.Listener presence, PeerRouter.Inbound peers) {
            this.presence = presence;
        }

        @Override
        public void close() {
        }

        @Override
        public void publish(Publication publication) {
            calls.add("publish " + publication.channel());
        }

        @Override
        public CompletionStage<Integer> publishCounted(Publication publication) {
            return CompletableFuture.completedFuture(0);
        }

        @Override
        public CompletionStage<Void> subscribe(String app, String channel) {
            calls.add("subscribe " + channel);
            CompletableFuture<Void> confirmed = new CompletableFuture<>();
            subscriptions.add(confirmed);
            return confirmed;
        }

        @Override
        public CompletionStage<Void> unsubscribe(String app, String channel) {
            calls.add("unsubscribe " + channel);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void add(String app, String room, String peerId, RawJson metadata) {
            calls.add("add " + room + " " + peerId);
        }

        @Override
        public void remove(String app, String room, String peerId) {
            calls.add("remove " + room + " " + peerId);
        }

        @Override
        public CompletionStage<Members> list(String app, String room) {
            calls.add("list " + room);
            CompletableFuture<Members> listed = new CompletableFuture<>();
            listings.add(listed);
            return listed;
        }

        @Override
        public CompletionStage<Void> register(String app, String peerId) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void unregister(String app, String peerId) {
        }

        @Override
        public CompletionStage<Integer> send(String app, String from, String peerId, byte[] frame) {
            CompletableFuture<Integer> taken = new CompletableFuture<>();
            sends.add(taken);
            return taken;
        }

        @Override
        public CompletionStage<Integer> kick(String app, String peerId) {
            return CompletableFuture.completedFuture(0);
        }

        @Override
        public CompletionStage<Boolean> tryAcquire(String app, int cap) {
            return CompletableFuture.completedFuture(true);
        }

        @Override
        public void release(String app) {
        }

        @Override
        public CompletionStage<Totals> report(String app, long periodStartMillis, int connections, long opened,
                                              long messages) {
            return CompletableFuture.completedFuture(new Totals(connections, connections, opened, messages));
        }
    }
}
