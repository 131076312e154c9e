package dev.switchboard.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.core.RecordingTransport.Close;
import dev.switchboard.core.RecordingTransport.Flush;
import dev.switchboard.core.RecordingTransport.Write;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** The per-connection outbound queue: FIFO, batched flushes, byte bound (§8.7), close ordering. */
class OutboxTest {
    private final RecordingTransport transport = new RecordingTransport();

    private static byte[] frame(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void framesAreWrittenInOfferOrderWithOneFlushPerDrain() {
        Outbox outbox = new Outbox(transport, 1000);
        outbox.offer(frame("a"));
        outbox.offer(frame("b"));
        outbox.offer(frame("c"));

        assertThat(transport.runPending()).as("one drain task for a burst").isEqualTo(1);

        assertThat(transport.events()).extracting(e -> e instanceof Write w ? w.text() : e.getClass().getSimpleName())
                .containsExactly("a", "b", "c", "Flush");
        outbox.offer(frame("d"));
        assertThat(transport.runPending()).isEqualTo(1);
        assertThat(transport.count(Flush.class)).isEqualTo(2);
    }

    @Test
    void aTransportThatIsNotWritableParksTheDrainAndResumeSendsWhatQueuedInOrder() {
        Outbox outbox = new Outbox(transport, 1000);
        outbox.offer(frame("a"));
        transport.onWrite = f -> transport.writable = false; // the reader falls behind after the first frame
        outbox.offer(frame("b"));
        outbox.offer(frame("c"));
        transport.runPending();
        transport.onWrite = null;

        assertThat(transport.written()).containsExactly("a");
        assertThat(transport.count(Flush.class)).as("what was written is flushed before parking").isEqualTo(1);
        assertThat(outbox.offer(frame("d"))).isTrue();
        assertThat(transport.runPending()).as("a parked outbox schedules nothing for new frames").isZero();
        assertThat(outbox.offer(frame("1234567890".repeat(100)))).as("parked frames still count against the bound")
                .isFalse();

        transport.writable = true;
        outbox.resume();
        transport.runPending();
        assertThat(transport.written()).containsExactly("a", "b", "c", "d");
        outbox.offer(frame("e"));
        transport.runPending();
        assertThat(transport.written()).as("back to normal scheduling").containsExactly("a", "b", "c", "d", "e");
    }

    @Test
    void writabilityRegainedInsideTheParkingFlushLosesNoWakeup() {
        Outbox outbox = new Outbox(transport, 1000);
        transport.writable = false;
        transport.onFlush = () -> {
            transport.onFlush = null;
            transport.writable = true; // the flush drained the socket: Netty fires the event synchronously
            outbox.resume();
        };
        outbox.offer(frame("a"));
        outbox.offer(frame("b"));
        transport.runPending();
        assertThat(transport.written()).containsExactly("a", "b");
    }

    @Test
    void aParkedOutboxStillSendsItsClose() {
        Outbox outbox = new Outbox(transport, 1000);
        transport.writable = false;
        outbox.offer(frame("a"));
        transport.runPending();
        assertThat(transport.written()).isEmpty();

        outbox.close(4020, "admin disconnect", false);
        transport.runPending();
        assertThat(transport.events()).extracting(e -> e instanceof Write w ? w.text() : e.getClass().getSimpleName())
                .containsExactly("Flush", "a", "Close");
    }

    @Test
    void backlogCountsOnlyFramesWaitingForTheIoThreadNotForASlowReaderOrAClosedConnection() {
        Outbox outbox = new Outbox(transport, 1000);
        assertThat(outbox.backlogBytes()).as("idle").isZero();
        outbox.offer(frame("abc"));
        outbox.offer(frame("de"));
        assertThat(outbox.backlogBytes()).as("a drain is scheduled and has not run").isEqualTo(5);

        transport.runPending();
        assertThat(outbox.backlogBytes()).as("drained").isZero();

        transport.writable = false;
        outbox.offer(frame("f"));
        transport.runPending();
        outbox.offer(frame("gh"));
        assertThat(outbox.backlogBytes()).as("parked: the reader is behind, not the I/O thread").isZero();

        transport.writable = true;
        outbox.resume();
        assertThat(outbox.backlogBytes()).as("resumed, the drain not yet run").isEqualTo(3);
        outbox.close(1000, "", false);
        assertThat(outbox.backlogBytes()).as("sealed").isZero();
    }

    @Test
    void theSameByteArrayReachesTheTransport() {
        Outbox outbox = new Outbox(transport, 1000);
        byte[] shared = frame("x");
        outbox.offer(shared);
        transport.runPending();
        assertThat(transport.writtenBytes().getFirst()).isSameAs(shared);
    }

    @Test
    void anOfferThatWouldCrossTheByteBoundIsRefused() {
        Outbox outbox = new Outbox(transport, 10);
        assertThat(outbox.offer(frame("123456"))).isTrue();
        assertThat(outbox.offer(frame("1234"))).isTrue();
        assertThat(outbox.offer(frame("1"))).isFalse();
        transport.runPending();
        assertThat(transport.written()).containsExactly("123456", "1234");
        assertThat(outbox.offer(frame("1234567890"))).as("written bytes are released").isTrue();
    }

    @Test
    void framesTheTransportHasTakenStopCountingWithinOneReleaseBatchSoAReaderThatKeepsUpIsNeverRefused() {
        int frameBytes = 4 * 1024;
        int inFlight = 4;
        // room for the frames in flight plus one release batch of frames the transport already has, and no more
        long bound = (long) inFlight * frameBytes + Outbox.RELEASE_BYTES;
        Outbox outbox = new Outbox(transport, bound);
        List<Boolean> acceptedDuringDrain = new ArrayList<>();
        transport.onWrite = written -> {
            if (acceptedDuringDrain.size() < 12) {
                // a publisher on another thread, mid-drain: the reader keeps up, so the queue stays at inFlight
                acceptedDuringDrain.add(outbox.offer(new byte[frameBytes]));
            }
        };
        for (int i = 0; i < inFlight; i++) {
            assertThat(outbox.offer(new byte[frameBytes])).isTrue();
        }
        transport.runPending();
        assertThat(acceptedDuringDrain).hasSize(12).containsOnly(true);
        assertThat(transport.written()).hasSize(inFlight + 12);
    }

    @Test
    void aLongQueueIsWrittenInBoundedBatchesEachFlushedAndTheEventLoopIsYieldedBetweenThem() {
        Outbox outbox = new Outbox(transport, 1_000_000);
        int total = Outbox.MAX_FRAMES_PER_DRAIN + 44;
        for (int i = 0; i < total; i++) {
            outbox.offer(frame("f" + i));
        }
        assertThat(transport.runOne()).isTrue();
        assertThat(transport.written()).hasSize(Outbox.MAX_FRAMES_PER_DRAIN);
        assertThat(transport.events()).last().isInstanceOf(Flush.class);
        assertThat(transport.runOne()).as("the rest continues in a fresh task").isTrue();
        assertThat(transport.written()).hasSize(total).last().isEqualTo("f" + (total - 1));
        assertThat(transport.count(Flush.class)).isEqualTo(2);
        assertThat(transport.runOne()).isFalse();
    }

    @Test
    void bytesTheTransportHasNotWrittenCountTowardsTheBound() {
        Outbox outbox = new Outbox(transport, 10);
        transport.pendingBytes.set(8);
        assertThat(outbox.offer(frame("12"))).isTrue();
        assertThat(outbox.offer(frame("3"))).isFalse();
    }

    @Test
    void closeIsSentAfterTheFramesAlreadyQueuedAndLaterFramesAreDropped() {
        Outbox outbox = new Outbox(transport, 1000);
        outbox.offer(frame("a"));
        outbox.offer(frame("b"));
        outbox.close(4020, "admin disconnect", false);
        assertThat(outbox.offer(frame("late"))).as("dropped, not an overflow").isTrue();
        outbox.close(1000, "again", false);
        transport.runPending();

        assertThat(transport.written()).containsExactly("a", "b");
        assertThat(transport.events()).last().isEqualTo(new Close(4020, "admin disconnect"));
        assertThat(transport.count(Close.class)).isEqualTo(1);
        assertThat(outbox.isSealed()).isTrue();
    }

    @Test
    void closeWithDiscardDropsFramesStillQueued() {
        Outbox outbox = new Outbox(transport, 1000);
        outbox.offer(frame("a"));
        outbox.close(1008, "outbound buffer overflow", true);
        transport.runPending();
        assertThat(transport.written()).isEmpty();
        assertThat(transport.events()).containsExactly(new Close(1008, "outbound buffer overflow"));
    }

    @Test
    void concurrentProducersLoseNoWakeupAndKeepPerProducerOrder() throws Exception {
        int producers = 6;
        int perProducer = 20_000;
        ExecutorService io = Executors.newSingleThreadExecutor();
        try {
            RecordingTransport real = new RecordingTransport(io);
            Outbox outbox = new Outbox(real, Long.MAX_VALUE / 4);
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                int id = p;
                Thread t = Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        throw new RuntimeException(e);
                    }
                    for (int i = 0; i < perProducer; i++) {
                        assertThat(outbox.offer(frame(id + ":" + i))).isTrue();
                        if (i % 1000 == 0) {
                            Thread.yield();
                        }
                    }
                });
                threads.add(t);
            }
            start.countDown();
            for (Thread t : threads) {
                t.join();
            }
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> real.count(Write.class) >= (long) producers * perProducer);

            Map<Integer, Integer> next = new HashMap<>();
            for (String f : real.written()) {
                String[] parts = f.split(":");
                int producer = Integer.parseInt(parts[0]);
                int seq = Integer.parseInt(parts[1]);
                assertThat(seq).as("producer %d order", producer).isEqualTo(next.getOrDefault(producer, 0));
                next.put(producer, seq + 1);
            }
            assertThat(real.count(Write.class)).isEqualTo((long) producers * perProducer);
            assertThat(next.values()).allMatch(n -> n == perProducer);
            // The last event is a flush: nothing was written and left unflushed.
            await().atMost(Duration.ofSeconds(5)).until(() -> real.events().getLast() instanceof Flush);
        } finally {
            io.shutdownNow();
        }
    }

    @Test
    void severalFramesGoOutBackToBackCountingOnlyTheConnectionsOwnBytes() {
        Outbox outbox = new Outbox(transport, 100);
        byte[] shared = frame("s".repeat(80));
        outbox.offer(frame("a"));
        assertThat(outbox.offerFrames(new byte[][] {shared, shared, frame("own")}, 3))
                .as("240 bytes of shared frames fit a bound of 100").isTrue();
        outbox.offer(frame("b"));
        assertThat(outbox.offerFrames(new byte[][] {frame("x")}, 101)).as("own bytes count").isFalse();
        transport.runPending();
        assertThat(transport.written()).containsExactly("a", "s".repeat(80), "s".repeat(80), "own", "b");
    }

    @Test
    void aMultiFrameItemParksBetweenItsFramesAndResumesWhereItStopped() {
        Outbox outbox = new Outbox(transport, 1000);
        transport.onWrite = f -> transport.writable = false; // the reader falls behind after each frame
        outbox.offerFrames(new byte[][] {frame("1"), frame("2"), frame("3")}, 3);
        outbox.offer(frame("after"));
        transport.runPending();
        assertThat(transport.written()).containsExactly("1");
        for (int i = 0; i < 3; i++) {
            transport.writable = true;
            outbox.resume();
            transport.runPending();
        }
        assertThat(transport.written()).containsExactly("1", "2", "3", "after");
    }

    @Test
    void aDiscardingCloseDropsTheRestOfAMultiFrameItem() {
        Outbox outbox = new Outbox(transport, 1000);
        transport.onWrite = f -> transport.writable = false;
        outbox.offerFrames(new byte[][] {frame("1"), frame("2"), frame("3")}, 3);
        transport.runPending();
        outbox.close(1008, "outbound buffer overflow", true);
        transport.writable = true;
        transport.onWrite = null;
        outbox.resume();
        transport.runPending();
        assertThat(transport.written()).containsExactly("1");
        assertThat(transport.count(Close.class)).isEqualTo(1);
    }

    // ---------------------------------------------------------------------------------------------------------
    // The pong barrier before a presence snapshot (docs/decisions.md D9)
    // ---------------------------------------------------------------------------------------------------------

    private List<String> eventNames() {
        return transport.events().stream().map(e -> switch (e) {
            case Write w -> w.text();
            case RecordingTransport.SentPing p -> "ping " + p.sequence();
            default -> e.getClass().getSimpleName();
        }).toList();
    }

    /** An outbox on a pinging transport that has written ping 1 and holds a one-frame snapshot behind it. */
    private static Outbox waitingForPong(RecordingTransport transport, long maxBytes) {
        transport.pings = true;
        Outbox outbox = new Outbox(transport, maxBytes);
        outbox.offerSnapshot(new byte[][] {frame("snap")}, 4);
        transport.runPending();
        return outbox;
    }

    @Test
    void aSnapshotWaitsForThePongOfAPingWrittenAfterWhatPrecedesItAndWhatFollowsWaitsBehindIt() {
        transport.pings = true;
        Outbox outbox = new Outbox(transport, 1000);
        outbox.offer(frame("ack"));
        outbox.offerSnapshot(new byte[][] {frame("snap1"), frame("snap2")}, 10);
        outbox.offer(frame("delta"));
        transport.runPending();
        assertThat(eventNames()).as("the ack and the ping leave in one flush, the snapshot waits")
                .containsExactly("ack", "ping 1", "Flush");

        outbox.offer(frame("later"));
        assertThat(transport.runPending()).as("frames queued while waiting schedule nothing").isZero();
        outbox.onPong(0);
        outbox.resume();
        assertThat(transport.runPending()).as("neither an unknown pong nor writability releases it").isZero();

        outbox.onPong(1);
        transport.runPending();
        assertThat(transport.written()).containsExactly("ack", "snap1", "snap2", "delta", "later");
    }

    @Test
    void aPongOfALaterPingReleasesTheSnapshotToo() {
        Outbox outbox = waitingForPong(transport, 1000);
        transport.sendPing(); // a keepalive ping; the client may answer only the latest (RFC 6455 §5.5.3)
        outbox.onPong(2);
        transport.runPending();
        assertThat(transport.written()).containsExactly("snap");
    }

    @Test
    void aCloseDoesNotWaitForThePong() {
        Outbox outbox = waitingForPong(transport, 1000);
        outbox.offer(frame("delta"));
        outbox.close(4020, "kicked", false);
        transport.runPending();
        assertThat(eventNames()).containsExactly("ping 1", "Flush", "snap", "delta", "Close");

        RecordingTransport slow = new RecordingTransport();
        Outbox dropped = waitingForPong(slow, 1000);
        dropped.close(1008, "outbound buffer overflow", true);
        slow.runPending();
        assertThat(slow.written()).as("a discarding close drops the waiting snapshot").isEmpty();
        assertThat(slow.count(Close.class)).isEqualTo(1);
    }

    @Test
    void framesQueuedWhileWaitingStillCountAgainstTheBound() {
        Outbox outbox = waitingForPong(transport, 100);
        assertThat(outbox.offer(frame("x".repeat(90)))).isTrue();
        assertThat(outbox.offer(frame("x".repeat(11)))).as("a client that never answers is a slow consumer").isFalse();
        assertThat(outbox.backlogBytes()).as("waiting for the client holds no publisher back").isZero();
    }

    @Test
    void aTransportThatCannotPingSendsTheSnapshotAtOnce() {
        Outbox outbox = new Outbox(transport, 1000);
        outbox.offer(frame("ack"));
        outbox.offerSnapshot(new byte[][] {frame("snap")}, 4);
        transport.runPending();
        assertThat(eventNames()).containsExactly("ack", "snap", "Flush");
    }
}
