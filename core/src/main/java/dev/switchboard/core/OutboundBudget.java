package dev.switchboard.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node-wide bound on what waits in outboxes: a storm of tiny frames to many parked readers stays under the
 * per-connection bound everywhere and could still fill the heap. Each outbox reports its weight — queued bytes
 * plus {@link Outbox#NODE_OVERHEAD} per queued frame for the queue node — in steps of {@link #STEP} bytes, so the
 * shared counter is touched once per 64 KiB an outbox grows or shrinks, not per frame; outboxes that stay small
 * (every reader that keeps up) never touch it. When the total passes the limit, the heaviest outboxes are cut
 * first (closed with 1008, their queues dropped) until the total is back under 90 % of it.
 */
final class OutboundBudget {
    static final long STEP = 64 * 1024;

    private final long limit;
    private final AtomicLong used = new AtomicLong();
    /** Outboxes holding at least one step: the only candidates for a cut. */
    private final Set<Outbox> heavy = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean cutting = new AtomicBoolean();
    private final AtomicLong cuts = new AtomicLong();

    OutboundBudget(long limit) {
        this.limit = limit;
    }

    /** An unlimited budget (tests and benchmarks of one outbox). */
    static OutboundBudget unlimited() {
        return new OutboundBudget(Long.MAX_VALUE);
    }

    /** An outbox's weight went from {@code steps - delta} to {@code steps} steps. Any thread. */
    void change(Outbox outbox, long delta, long steps) {
        long total = used.addAndGet(delta * STEP);
        if (steps > 0 && steps == delta) {
            heavy.add(outbox); // stays a candidate until its connection is gone (forget), whatever races
        }
        if (delta > 0 && total > limit) {
            cut();
        }
    }

    /** The outbox's connection is gone. */
    void forget(Outbox outbox) {
        heavy.remove(outbox);
    }

    /** An outbox and its weight when the cut looked. */
    private record Weighed(Outbox outbox, long weight) {
    }

    /** Cuts the heaviest outboxes until the budget is back under 90 %; one thread at a time, others move on. */
    private void cut() {
        if (!cutting.compareAndSet(false, true)) {
            return;
        }
        try {
            // weights change while we look: sort a snapshot of them, or the sort sees an inconsistent order
            List<Weighed> byWeight = new ArrayList<>(heavy.size());
            for (Outbox outbox : heavy) {
                byWeight.add(new Weighed(outbox, outbox.weight()));
            }
            byWeight.sort(Comparator.comparingLong(Weighed::weight).reversed());
            long target = limit / 10 * 9;
            long remaining = used.get();
            for (Weighed weighed : byWeight) {
                Outbox outbox = weighed.outbox();
                if (remaining <= target) {
                    break;
                }
                if (outbox.cut()) {
                    cuts.incrementAndGet();
                }
                remaining -= outbox.weight(); // cut now or closing already: its weight is on its way out
            }
        } finally {
            cutting.set(false);
        }
    }

    /** Bytes (in whole steps) the outboxes of this node report now. */
    long used() {
        return used.get();
    }

    long limit() {
        return limit;
    }

    /** Connections closed because the node's budget was exhausted, since start. */
    long cuts() {
        return cuts.get();
    }
}
