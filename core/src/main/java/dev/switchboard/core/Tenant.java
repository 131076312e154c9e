package dev.switchboard.core;

import dev.switchboard.core.auth.AppConfig;
import dev.switchboard.core.auth.AppLimits;
import dev.switchboard.core.spi.Metrics;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The live state of one app on this node: its hub, its current configuration (replaced by a reload) and its usage
 * counters — concurrent connections against {@code maxConcurrentConnections}, messages of the current accounting
 * period against {@code maxMessagesPerPeriod}.
 *
 * <p>Accounting periods are aligned to the Unix epoch in UTC: with a 30-day period every node and every restart
 * agrees where a period starts without storing anything but the count. The node's sweep rolls the period over
 * ({@link #roll}), so the hot path reads no clock.
 */
final class Tenant {
    final String id;
    final Hub hub = new Hub();
    final Metrics.App metrics;
    private final NodeSettings settings;
    private volatile AppConfig config;
    private volatile RateLimiter.Rate rate;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger peakConnections = new AtomicInteger();
    private final AtomicLong messagesUsed = new AtomicLong();
    private final AtomicLong connectionsOpened = new AtomicLong();
    private volatile long periodStartMillis;

    Tenant(AppConfig config, NodeSettings settings, long nowMillis, Metrics.App metrics) {
        this.id = config.id();
        this.metrics = metrics;
        this.settings = settings;
        reconfigure(config);
        this.periodStartMillis = periodStart(nowMillis);
    }

    AppConfig config() {
        return config;
    }

    /** Applies a reloaded configuration of this app; limits and rates take effect for open connections too. */
    void reconfigure(AppConfig next) {
        AppLimits limits = next.limits();
        this.rate = RateLimiter.Rate.of(
                limits.messageRateBurst() == null ? settings.rateBurst() : limits.messageRateBurst(),
                limits.messageRatePerSecond() == null ? settings.ratePerSecond() : limits.messageRatePerSecond());
        this.config = next;
    }

    /** The per-connection token bucket of this app's connections. */
    RateLimiter.Rate rate() {
        return rate;
    }

    /** Takes a connection slot; false if the app is at its concurrent-connection cap (close 4010). */
    boolean tryAdmit() {
        Integer cap = config.limits().maxConcurrentConnections();
        for (;;) {
            int current = connections.get();
            if (cap != null && current >= cap) {
                return false;
            }
            if (connections.compareAndSet(current, current + 1)) {
                peakConnections.accumulateAndGet(current + 1, Math::max);
                connectionsOpened.incrementAndGet();
                return true;
            }
        }
    }

    void releaseSlot() {
        connections.decrementAndGet();
    }

    /**
     * Counts one {@code publish}/{@code send} attempt (open-questions.md Q32: refused-for-quota attempts count
     * too) and returns false if it is over the app's message quota.
     */
    boolean countMessage() {
        long used = messagesUsed.incrementAndGet();
        Long quota = config.limits().maxMessagesPerPeriod();
        return quota == null || used <= quota;
    }

    /**
     * Starts a new accounting period if {@code nowMillis} has passed the current one (or the configured period
     * changed its alignment); the message count starts again at zero. Attempts counted concurrently with the
     * rollover may land in either period.
     */
    void roll(long nowMillis) {
        long start = periodStart(nowMillis);
        if (start != periodStartMillis) {
            periodStartMillis = start;
            messagesUsed.set(0);
        }
    }

    /** Restores a persisted count if it belongs to the current period; a count of an older period is dropped. */
    void restore(long periodStartMillis, long used) {
        if (periodStartMillis == this.periodStartMillis) {
            messagesUsed.set(used);
        }
    }

    private long periodStart(long nowMillis) {
        long period = config.limits().period().toMillis();
        return Math.floorDiv(nowMillis, period) * period;
    }

    Usage usage() {
        long start = periodStartMillis;
        return new Usage(id, start, start + config.limits().period().toMillis(), connections.get(),
                peakConnections.get(), messagesUsed.get(), connectionsOpened.get());
    }
}
