package dev.switchboard.core.spi;

import java.util.concurrent.TimeUnit;

/**
 * Timers for the domain (token expiry, keepalive sweeps). Production uses a hashed wheel, so a hundred
 * thousand pending expiries cost one slot each rather than one scheduled task in a heap.
 */
public interface Scheduler {

    /** Runs {@code task} once after {@code delay}; the returned handle cancels it if it has not run yet. */
    Cancellable schedule(Runnable task, long delay, TimeUnit unit);

    /** A pending timer. */
    interface Cancellable {
        void cancel();
    }
}
