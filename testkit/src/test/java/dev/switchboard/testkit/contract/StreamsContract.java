package dev.switchboard.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.core.spi.Cluster;
import dev.switchboard.core.spi.Publication;
import dev.switchboard.core.spi.Streams;
import dev.switchboard.protocol.RawJson;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Streams} must do (docs/history.md, "On a cluster"): give a channel's publications offsets
 * 1, 2, … of one epoch whichever node appends, bring them to every subscribed node — the appending one too, through
 * its own hand-over — in offset order, complete an append after its own copy was handed over (and, counted, after
 * the other nodes answered), read a stream back bounded by its size, and keep cursors that are claimed oldest first,
 * a lost epoch's before all, each once.
 */
public abstract class StreamsContract extends ThreeNodes {
    private static final int SIZE = 100;
    private static final long TTL = 300_000;

    private Publication publication(String channel, String from, String data) {
        return new Publication(app, channel, from, RawJson.of(data), null);
    }

    private void subscribe(Cluster node, String channel) {
        join(node.broker().subscribe(app, channel));
    }

    /**
     * Appends to {@code channel} from {@code node}, which subscribed to it if {@code comesBack}: its own copy is
     * recorded like the others' by {@code in}.
     */
    private CompletionStage<Integer> append(Cluster node, Recorder in, String channel, String data,
                                            boolean comesBack) {
        return node.streams().append(publication(channel, node.nodeId(), data), SIZE, TTL, comesBack, false,
                in::publication);
    }

    @Test
    void appendsOnEveryNodeGetOneStreamsOffsetsAndReachEverySubscribedNodeInThatOrder() {
        for (Cluster node : List.of(a, b, c)) {
            subscribe(node, "room");
        }
        List<CompletableFuture<Integer>> appends = new ArrayList<>();
        for (int i = 0; i < 30; i++) { // concurrently from a and b: the store orders them
            appends.add(append(i % 2 == 0 ? a : b, i % 2 == 0 ? inA : inB, "room", "{\"i\":" + i + "}", true)
                    .toCompletableFuture());
        }
        appends.forEach(ThreeNodes::join);
        String epoch = null;
        for (Recorder in : List.of(inA, inB, inC)) {
            List<Long> offsets = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                Publication got = in.nextPublication();
                assertThat(got.inStream()).isTrue();
                epoch = epoch == null ? got.epoch() : epoch;
                assertThat(got.epoch()).as("one epoch").isEqualTo(epoch);
                offsets.add(got.offset());
            }
            assertThat(offsets).as("every node, the same order: the offsets'").isSorted()
                    .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 30).boxed().toList());
        }
    }

    @Test
    void aPatternSubscriptionBringsAStreamsPublicationsOnceEvenWithTheExactChannelToo() {
        subscribe(b, "rooms/*");
        subscribe(b, "rooms/1");
        subscribe(c, "rooms/*");
        for (int i = 1; i <= 3; i++) {
            join(append(a, inA, "rooms/1", Integer.toString(i), false));
        }
        join(append(a, inA, "rooms/2", "\"barrier\"", false));
        for (Recorder in : List.of(inB, inC)) {
            for (int i = 1; i <= 3; i++) {
                Publication got = in.nextPublication();
                assertThat(got.channel()).isEqualTo("rooms/1");
                assertThat(got.offset()).isEqualTo(i);
            }
            assertThat(in.nextPublication().data().toString()).as("each once").isEqualTo("\"barrier\"");
        }
    }

    @Test
    void anAppendCompletesOnceItsOwnCopyIsHandedOverAndCountedItAddsTheOtherNodes() {
        subscribe(a, "counted");
        subscribe(b, "counted");
        inB.connectionsPerPublication = 2;
        int[] here = {0};
        Integer plain = join(a.streams().append(publication("counted", "alice", "1"), SIZE, TTL, true, false, p -> {
            here[0]++;
            return 5;
        }));
        assertThat(here[0]).as("handed over before it completes").isEqualTo(1);
        assertThat(plain).as("this node's connections").isEqualTo(5);
        Integer counted = join(a.streams().append(publication("counted", "alice", "2"), SIZE, TTL, true, true,
                p -> 5));
        assertThat(counted).as("5 here, 2 on b").isEqualTo(7);
        Integer notHere = join(c.streams().append(publication("counted", "carol", "3"), SIZE, TTL, false, true,
                p -> 100));
        assertThat(notHere).as("c has no subscription: 1 on a, 2 on b").isEqualTo(3);
    }

    @Test
    void anAppendWhoseOwnCopyNeverComesCompletesAllTheSame() {
        subscribe(b, "unheard");
        int[] here = {0};
        Integer delivered = join(a.streams().append(publication("unheard", "alice", "1"), SIZE, TTL, true, false,
                p -> ++here[0])); // a says it would hear it, but has no subscription that brings it
        assertThat(delivered).isZero();
        assertThat(here[0]).isZero();
        assertThat(inB.nextPublication().offset()).as("the others got it").isEqualTo(1);
    }

    @Test
    void aStreamReadsBackBoundedByItsSizeNewestLastAndAfterAnOffset() {
        for (int i = 1; i <= 8; i++) {
            join(a.streams().append(publication("kept", "alice", "{\"i\":" + i + "}"), 5, TTL, false, false,
                    p -> 0));
        }
        Streams.Range newest = join(b.streams().read(app, "kept", null, null, 10));
        assertThat(newest.lastOffset()).isEqualTo(8);
        assertThat(newest.firstOffset()).as("the newest five are kept").isEqualTo(4);
        assertThat(newest.entries()).extracting(Streams.Entry::offset).containsExactly(4L, 5L, 6L, 7L, 8L);
        assertThat(newest.entries().getLast().data().toString()).isEqualTo("{\"i\":8}");
        assertThat(newest.entries().getLast().from()).isEqualTo("alice");
        assertThat(join(c.streams().read(app, "kept", null, null, 2)).entries()).extracting(Streams.Entry::offset)
                .containsExactly(7L, 8L);
        assertThat(join(c.streams().read(app, "kept", newest.epoch(), 5L, 2)).entries())
                .extracting(Streams.Entry::offset).containsExactly(6L, 7L);
        assertThat(join(c.streams().read(app, "kept", "another-epoch", 5L, 2)).entries())
                .as("a position of another epoch reads from the start").extracting(Streams.Entry::offset)
                .containsExactly(4L, 5L);
    }

    @Test
    void entriesPastTheTtlAreNoLongerReadButOffsetsAndEpochGoOn() {
        for (int i = 1; i <= 3; i++) {
            join(a.streams().append(publication("brief", "alice", Integer.toString(i)), SIZE, 200, false, false,
                    p -> 0));
        }
        String epoch = join(b.streams().read(app, "brief", null, null, 10)).epoch();
        await().atMost(Duration.ofSeconds(10)).until(() -> join(b.streams().read(app, "brief", null, null, 10))
                .entries().isEmpty());
        Streams.Range expired = join(b.streams().read(app, "brief", null, null, 10));
        assertThat(expired.lastOffset()).isEqualTo(3);
        assertThat(expired.firstOffset()).isEqualTo(4);
        join(a.streams().append(publication("brief", "alice", "4"), SIZE, TTL, false, false, p -> 0)); // stays
        Streams.Range after = join(c.streams().read(app, "brief", epoch, 3L, 10));
        assertThat(after.epoch()).isEqualTo(epoch);
        assertThat(after.entries()).extracting(Streams.Entry::offset).containsExactly(4L);
    }

    @Test
    void aChannelsFirstReadStartsItsStreamAndAppendsKeepThatEpoch() {
        Streams.Range fresh = join(a.streams().read(app, "new", null, null, 10));
        assertThat(fresh.epoch()).isNotEmpty();
        assertThat(fresh.lastOffset()).isZero();
        assertThat(fresh.firstOffset()).isEqualTo(1);
        assertThat(fresh.entries()).isEmpty();
        subscribe(c, "new");
        join(b.streams().append(publication("new", "bob", "1"), SIZE, TTL, false, false, p -> 0));
        Publication got = inC.nextPublication();
        assertThat(got.epoch()).isEqualTo(fresh.epoch());
        assertThat(got.offset()).isEqualTo(1);
    }

    @Test
    void cursorsAreClaimedOnceEachALostEpochsFirstThenTheOldestAndExpiredOnesNever() {
        long now = System.currentTimeMillis();
        a.streams().keepCursor(app, "alice", "room", new Streams.Cursor(5, "e1", now + 60_000));
        b.streams().keepCursor(app, "alice", "room", new Streams.Cursor(3, "e1", now + 60_000));
        c.streams().keepCursor(app, "alice", "room", new Streams.Cursor(9, "e0", now + 60_000));
        a.streams().keepCursor(app, "alice", "room", new Streams.Cursor(1, "e1", now - 1));
        a.streams().keepCursor(app, "bob", "room", new Streams.Cursor(7, "e1", now + 60_000));
        for (Cluster node : List.of(a, b, c)) { // kept without an answer: a later call of the node follows them
            assertThat(join(node.streams().claimCursor(app, "nobody", "room", "e1", now))).isNull();
        }
        Streams.Cursor first = join(b.streams().claimCursor(app, "alice", "room", "e1", now));
        assertThat(first).isEqualTo(new Streams.Cursor(9, "e0", now + 60_000));
        assertThat(join(c.streams().claimCursor(app, "alice", "room", "e1", now)).offset()).isEqualTo(3);
        assertThat(join(a.streams().claimCursor(app, "alice", "room", "e1", now)).offset()).isEqualTo(5);
        assertThat(join(a.streams().claimCursor(app, "alice", "room", "e1", now))).as("1 had expired").isNull();
        assertThat(join(a.streams().claimCursor(app, "bob", "room", "e1", now)).offset()).isEqualTo(7);
    }

    @Test
    void aFullListOfCursorsKeepsTheOldestPositions() {
        long now = System.currentTimeMillis();
        for (int offset = 10; offset < 10 + Streams.CURSORS_PER_PEER_CHANNEL; offset++) {
            a.streams().keepCursor(app, "alice", "room", new Streams.Cursor(offset, "e", now + 60_000));
        }
        a.streams().keepCursor(app, "alice", "room", new Streams.Cursor(30, "e", now + 60_000));
        a.streams().keepCursor(app, "alice", "room", new Streams.Cursor(5, "e", now + 60_000));
        List<Long> claimed = new ArrayList<>();
        Streams.Cursor cursor;
        while ((cursor = join(a.streams().claimCursor(app, "alice", "room", "e", now))) != null) {
            claimed.add(cursor.offset());
        }
        assertThat(claimed).as("30 was not kept, 5 took 17's place").containsExactly(5L, 10L, 11L, 12L, 13L, 14L,
                15L, 16L);
    }

    @Test
    void aTakeOverAsksTheOtherNodesHoldingThePeerAndGetsTheOldestPosition() {
        join(a.peers().register(app, "alice"));
        join(b.peers().register(app, "alice"));
        join(c.peers().register(app, "alice"));
        inB.position = new Streams.Cursor(5, "e", Long.MAX_VALUE);
        inC.position = new Streams.Cursor(3, "e", Long.MAX_VALUE);
        assertThat(join(a.streams().takeOver(app, "alice", "room")).offset()).isEqualTo(3);
        assertThat(inB.takeOvers).containsExactly(app + "/alice:room");
        assertThat(inC.takeOvers).containsExactly(app + "/alice:room");
        assertThat(inA.takeOvers).as("not its own node").isEmpty();

        inC.position = null; // nothing lags there now
        assertThat(join(a.streams().takeOver(app, "alice", "room")).offset()).isEqualTo(5);
        b.peers().unregister(app, "alice");
        c.peers().unregister(app, "alice");
        assertThat(join(b.peers().register(app, "barrier"))).isNull(); // b's unregister is through
        assertThat(join(c.peers().register(app, "barrier"))).isNull();
        assertThat(join(a.streams().takeOver(app, "alice", "room"))).as("no other node holds alice").isNull();
    }
}
