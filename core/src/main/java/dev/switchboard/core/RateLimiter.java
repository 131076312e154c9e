package dev.switchboard.core;

/**
 * The per-connection token bucket of protocol.md §13.2: starts full, refills continuously. Not thread-safe:
 * it is touched only by its connection's I/O thread. Two primitive fields, so idle connections stay small.
 */
final class RateLimiter {
    private final int capacity;
    private final double tokensPerNano;
    private double tokens;
    private long lastRefillNanos;

    RateLimiter(int capacity, double tokensPerSecond, long nowNanos) {
        this.capacity = capacity;
        this.tokensPerNano = tokensPerSecond / 1e9;
        this.tokens = capacity;
        this.lastRefillNanos = nowNanos;
    }

    /** Takes one token; returns false if the bucket is empty (the caller closes with 4011). */
    boolean tryAcquire(long nowNanos) {
        long elapsed = nowNanos - lastRefillNanos;
        if (elapsed > 0) {
            tokens = Math.min(capacity, tokens + elapsed * tokensPerNano);
            lastRefillNanos = nowNanos;
        }
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }
}
