package dev.switchboard.server.rest;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Token buckets by a string (a source IP or a key id) for the REST limits of rest-api.md §1.5. Buckets that are
 * full again are swept once the table grows, so a scan from many addresses does not pile up entries.
 */
final class RequestThrottle {
    private static final int SWEEP_THRESHOLD = 4096;

    private final double perSecond;
    private final int burst;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    /** {@code perSecond} 0 lets everything through. */
    RequestThrottle(int perSecond, int burst, LongSupplier nanoClock) {
        this.perSecond = perSecond;
        this.burst = Math.max(1, burst);
        this.nanoClock = nanoClock;
    }

    /** Takes one request's token from {@code source}'s bucket; false if it is empty (answer 429). */
    boolean tryAcquire(String source) {
        if (perSecond <= 0) {
            return true;
        }
        long now = nanoClock.getAsLong();
        if (buckets.size() > SWEEP_THRESHOLD) {
            buckets.values().removeIf(b -> b.isFull(now));
        }
        return buckets.computeIfAbsent(source, s -> new Bucket(burst, now)).take(now);
    }

    private final class Bucket {
        private double tokens;
        private long refilledAt;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.refilledAt = now;
        }

        synchronized boolean take(long now) {
            refill(now);
            if (tokens < 1) {
                return false;
            }
            tokens -= 1;
            return true;
        }

        synchronized boolean isFull(long now) {
            refill(now);
            return tokens >= burst;
        }

        private void refill(long now) {
            tokens = Math.min(burst, tokens + (now - refilledAt) / 1e9 * perSecond);
            refilledAt = now;
        }
    }
}
