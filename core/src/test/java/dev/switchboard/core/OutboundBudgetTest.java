package dev.switchboard.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The node-wide bound on queued outbound bytes: queue nodes counted, heaviest outboxes cut first. */
class OutboundBudgetTest {
    private static final byte[] TINY = new byte[8];

    private record Parked(Outbox outbox, RecordingTransport transport, int[] cuts) {
    }

    /** A reader that stopped reading: its outbox parks and frames wait. A cut closes it, as a session does. */
    private static Parked parked(OutboundBudget budget) {
        RecordingTransport transport = new RecordingTransport();
        transport.writable = false;
        int[] cuts = new int[1];
        Outbox[] self = new Outbox[1];
        self[0] = new Outbox(transport, 64L << 20, budget, () -> {
            cuts[0]++;
            self[0].close(1008, "outbound buffer overflow", true);
        });
        return new Parked(self[0], transport, cuts);
    }

    @Test
    void readersThatKeepUpNeverTouchTheSharedCounter() {
        OutboundBudget budget = new OutboundBudget(1L << 20);
        RecordingTransport transport = new RecordingTransport();
        Outbox outbox = new Outbox(transport, 8L << 20, budget, () -> {
        });
        for (int i = 0; i < 10_000; i++) {
            outbox.offer(new byte[100]);
            transport.runPending();
        }
        assertThat(budget.used()).isZero();
    }

    @Test
    void tinyFramesCountTheirQueueNodesToo() {
        OutboundBudget budget = new OutboundBudget(Long.MAX_VALUE);
        Parked p = parked(budget);
        for (int i = 0; i < 10_000; i++) {
            p.outbox().offer(TINY);
        }
        p.transport().runPending();
        long weight = 10_000 * (TINY.length + Outbox.NODE_OVERHEAD);
        assertThat(p.outbox().weight()).isEqualTo(weight);
        assertThat(budget.used()).isEqualTo(weight / OutboundBudget.STEP * OutboundBudget.STEP);
    }

    @Test
    void overTheBudgetTheHeaviestBacklogsAreCutFirstAndTheLightKept() {
        OutboundBudget budget = new OutboundBudget(3_670_016); // 3.5 MiB: 56 steps
        List<Parked> readers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            readers.add(parked(budget));
        }
        // Reader i holds (i + 1) × 100 KiB of tiny frames: 3.5 MiB in all, counted as 52 whole steps, under it.
        for (int i = 0; i < readers.size(); i++) {
            for (long w = 0; w < (i + 1) * 100L * 1024; w += TINY.length + Outbox.NODE_OVERHEAD) {
                readers.get(i).outbox().offer(TINY);
            }
        }
        assertThat(readers).allSatisfy(r -> assertThat(r.cuts()[0]).isZero());
        // A ninth reader's 600 KiB push the node over the budget: the heaviest (800 KiB) is cut, not the newcomer, and
        // only it, since its weight is on its way out even before its drain has dropped it.
        Parked newcomer = parked(budget);
        for (long w = 0; w < 600L * 1024; w += TINY.length + Outbox.NODE_OVERHEAD) {
            newcomer.outbox().offer(TINY);
        }
        assertThat(readers.get(7).cuts()[0]).as("the heaviest goes first").isEqualTo(1);
        assertThat(newcomer.cuts()[0]).isZero();
        for (int i = 0; i < 7; i++) {
            assertThat(readers.get(i).cuts()[0]).as("reader %d kept", i).isZero();
        }
        readers.get(7).transport().runPending(); // its drain drops the queue and leaves the budget
        assertThat(budget.used()).isLessThan(budget.limit() / 10 * 9);
    }

    @Test
    void aClosedOutboxLeavesTheBudget() {
        OutboundBudget budget = new OutboundBudget(Long.MAX_VALUE);
        Parked p = parked(budget);
        for (int i = 0; i < 5_000; i++) {
            p.outbox().offer(TINY);
        }
        assertThat(budget.used()).isPositive();
        p.outbox().close(1008, "outbound buffer overflow", true);
        p.transport().runPending();
        assertThat(budget.used()).isZero();
    }
}
