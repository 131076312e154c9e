package dev.switchboard.core;

import dev.switchboard.core.spi.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Scheduler} driven by a {@link ManualClock}: timers fire, in due order, only inside {@link #advance},
 * which moves the clock to each due time before running the timer (timers scheduled while firing fire too).
 */
final class ManualScheduler implements Scheduler {
    private final ManualClock clock;
    private final List<Timer> timers = new ArrayList<>();
    private long sequence;

    ManualScheduler(ManualClock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
        Timer timer = new Timer(clock.nanoTime() + unit.toNanos(delay), sequence++, task);
        timers.add(timer);
        return () -> timer.cancelled = true;
    }

    /** Moves time forward by {@code by}, firing every timer that falls due on the way, at its due time. */
    void advance(Duration by) {
        long target = clock.nanoTime() + by.toNanos();
        for (;;) {
            Timer next;
            synchronized (this) {
                next = timers.stream()
                        .filter(t -> !t.cancelled && t.due <= target)
                        .min(Comparator.comparingLong((Timer t) -> t.due).thenComparingLong(t -> t.seq))
                        .orElse(null);
                if (next != null) {
                    timers.remove(next);
                }
            }
            if (next == null) {
                break;
            }
            long gap = next.due - clock.nanoTime();
            if (gap > 0) {
                clock.advance(Duration.ofNanos(gap));
            }
            next.task.run();
        }
        long rest = target - clock.nanoTime();
        if (rest > 0) {
            clock.advance(Duration.ofNanos(rest));
        }
    }

    /** Timers not yet fired nor cancelled. */
    synchronized long pending() {
        return timers.stream().filter(t -> !t.cancelled).count();
    }

    private static final class Timer {
        final long due;
        final long seq;
        final Runnable task;
        volatile boolean cancelled;

        Timer(long due, long seq, Runnable task) {
            this.due = due;
            this.seq = seq;
            this.task = task;
        }
    }
}
