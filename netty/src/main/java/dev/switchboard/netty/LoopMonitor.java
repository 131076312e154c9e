package dev.switchboard.netty;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * How late each event loop runs: every {@link #PERIOD_MILLIS} a probe is scheduled on every loop, and the delay
 * between when it was due and when it ran is that loop's lag. A loop that runs no probe at all (blocked, or
 * buried under work) shows a lag that grows with the time since its last probe, so readiness sees a stuck loop
 * too. Pending tasks are read from the loop when asked.
 */
final class LoopMonitor {
    static final long PERIOD_MILLIS = 250;
    private static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(PERIOD_MILLIS);

    private final List<Probe> probes = new ArrayList<>();

    LoopMonitor(EventExecutorGroup group) {
        for (EventExecutor loop : group) {
            Probe probe = new Probe(loop);
            probes.add(probe);
            probe.arm();
        }
    }

    /** Each loop's lag and queue now, in loop order. */
    List<NettyServer.LoopStats> stats() {
        long now = System.nanoTime();
        List<NettyServer.LoopStats> stats = new ArrayList<>(probes.size());
        for (Probe probe : probes) {
            long overdue = now - probe.due;
            stats.add(new NettyServer.LoopStats(Math.max(probe.lagNanos, Math.max(0, overdue)),
                    probe.loop instanceof SingleThreadEventExecutor single ? single.pendingTasks() : -1));
        }
        return stats;
    }

    private static final class Probe implements Runnable {
        final EventExecutor loop;
        /** When the armed probe is due to run. */
        volatile long due;
        /** How late the last probe ran. */
        volatile long lagNanos;

        Probe(EventExecutor loop) {
            this.loop = loop;
        }

        void arm() {
            if (loop.isShuttingDown()) {
                return;
            }
            due = System.nanoTime() + PERIOD_NANOS;
            try {
                loop.schedule(this, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // the loop is stopping
            }
        }

        @Override
        public void run() {
            lagNanos = Math.max(0, System.nanoTime() - due);
            arm();
        }
    }
}
