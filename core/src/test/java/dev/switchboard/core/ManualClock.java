package dev.switchboard.core;

import dev.switchboard.core.spi.Clock;
import java.time.Duration;

/** A {@link Clock} that moves only when told to; monotonic and wall time advance together. */
final class ManualClock implements Clock {
    private volatile long nanos = 1_000_000_000L;
    private volatile long millis = 1_700_000_000_000L;

    @Override
    public long nanoTime() {
        return nanos;
    }

    @Override
    public long currentTimeMillis() {
        return millis;
    }

    synchronized void advance(Duration by) {
        nanos += by.toNanos();
        millis += by.toMillis();
    }

    long epochSeconds() {
        return millis / 1000;
    }
}
