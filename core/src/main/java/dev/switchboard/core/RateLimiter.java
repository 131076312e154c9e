package dev.switchboard.core;

/**
 * The per-connection token bucket of protocol.md §13.2: starts full, refills continuously. Not thread-safe:
 * it is touched only by its connection's I/O thread. Two primitive fields, so idle connections stay small; the
 * bucket's size and refill come from the app on every call ({@link Rate}), so a reload applies to open
 * connections at once.
 */
final class RateLimiter {
    private double tokens;
    private long lastRefillNanos;

    /** The bucket of one app: capacity (burst) and refill. Immutable. */
    record Rate(int capacity, double tokensPerNano) {
        static Rate of(int burst, double perSecond) {
            return new Rate(burst, perSecond / 1e9);
        }
    }

    RateLimiter(Rate rate, long nowNanos) {
        this.tokens = rate.capacity();
        this.lastRefillNanos = nowNanos;
    }

    /** Takes one token; returns false if the bucket is empty (the caller closes with 4011). */
    boolean tryAcquire(long nowNanos, Rate rate) {
        long elapsed = nowNanos - lastRefillNanos;
        if (elapsed > 0) {
            tokens = Math.min(rate.capacity(), tokens + elapsed * rate.tokensPerNano());
            lastRefillNanos = nowNanos;
        }
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }
}
