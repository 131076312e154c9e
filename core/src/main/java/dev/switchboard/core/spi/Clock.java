package dev.switchboard.core.spi;

/**
 * Time as the domain sees it: a monotonic clock for intervals (rate buckets, keepalive) and the wall clock
 * for protocol timestamps ({@code serverTime}, JWT {@code exp}). Tests substitute a manual clock.
 */
public interface Clock {

    /** Monotonic nanoseconds, as {@link System#nanoTime()}. */
    long nanoTime();

    /** Wall-clock milliseconds since the epoch. */
    long currentTimeMillis();

    Clock SYSTEM = new Clock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public long currentTimeMillis() {
            return System.currentTimeMillis();
        }
    };
}
