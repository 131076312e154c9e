package dev.switchboard.core;

import dev.switchboard.core.auth.AppConfig;
import dev.switchboard.core.auth.AppLimits;
import dev.switchboard.core.auth.ChannelRule;
import dev.switchboard.core.spi.Clock;
import dev.switchboard.core.spi.Cluster;
import dev.switchboard.core.spi.ClusterCounters;
import dev.switchboard.core.spi.Metrics;
import dev.switchboard.core.spi.Scheduler;
import java.util.List;
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
 *
 * <p>In a cluster the node {@link #report}s its counts once a second and keeps the cluster's totals; usage and the
 * message quota are those totals plus what this node counted since (see {@link ClusterCounters}).
 */
final class Tenant {
    final String id;
    final Hub hub;
    final Metrics.App metrics;
    /** The message history of the app's channels with history on this node. */
    final History history;
    /** Where the app's dropped connections stood in those channels' streams (a standalone node's). */
    final Cursors cursors = new Cursors();
    private volatile List<ChannelRule.Compiled> rules;
    private final Cluster cluster;
    private final NodeSettings settings;
    private volatile AppConfig config;
    private volatile RateLimiter.Rate rate;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger peakConnections = new AtomicInteger();
    private final AtomicLong messagesUsed = new AtomicLong();
    private final AtomicLong connectionsOpened = new AtomicLong();
    private volatile long periodStartMillis;
    /** The cluster's totals at the last report, and this node's counts that report was made with. */
    private volatile Reported reported;
    /** What this node has reported so far (guarded by this). */
    private long messagesSent;
    private long openedSent;

    private record Reported(ClusterCounters.Totals totals, long periodStartMillis, int connections, long messages,
                            long opened) {
    }

    Tenant(AppConfig config, NodeSettings settings, long nowMillis, Metrics.App metrics, Cluster cluster,
           History.Budget historyBudget, Scheduler scheduler, Clock clock) {
        this.id = config.id();
        this.history = new History(historyBudget);
        this.cluster = cluster;
        this.hub = new Hub(config.id(), cluster, this::rule, scheduler, history, clock);
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
        this.rules = next.channels().stream().map(ChannelRule.Compiled::of).toList();
        this.config = next;
    }

    /** The settings of {@code channel}: the first of the app's channel rules it matches, or the default. */
    ChannelRule rule(String channel) {
        List<ChannelRule.Compiled> current = rules;
        return current.isEmpty() ? ChannelRule.DEFAULT : ChannelRule.of(current, channel);
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
        return quota == null || clusterMessages(used) <= quota;
    }

    /** The period's attempts of the whole cluster, given this node's count {@code used}. */
    private long clusterMessages(long used) {
        Reported last = reported;
        if (last == null || last.periodStartMillis != periodStartMillis) {
            return used;
        }
        return last.totals.messages() + used - last.messages;
    }

    /**
     * Reports this node's counts to the cluster (connections open now, messages and admissions since the last
     * report) and keeps the totals it answers with. A report that fails is counted again in the next one.
     */
    synchronized void report() {
        long period = periodStartMillis;
        int open = connections.get();
        long used = messagesUsed.get();
        long opened = connectionsOpened.get();
        long messageDelta = used - messagesSent;
        long openedDelta = opened - openedSent;
        messagesSent = used;
        openedSent = opened;
        cluster.counters().report(id, period, open, openedDelta, messageDelta).whenComplete((totals, failure) -> {
            if (failure == null) {
                reported = new Reported(totals, period, open, used, opened);
            } else {
                synchronized (this) {
                    if (period == periodStartMillis) {
                        messagesSent -= messageDelta;
                    }
                    openedSent -= openedDelta;
                }
            }
        });
    }

    /**
     * Starts a new accounting period if {@code nowMillis} has passed the current one (or the configured period
     * changed its alignment); the message count starts again at zero. Attempts counted concurrently with the
     * rollover may land in either period.
     */
    void roll(long nowMillis) {
        long start = periodStart(nowMillis);
        if (start != periodStartMillis) {
            synchronized (this) {
                periodStartMillis = start;
                messagesUsed.set(0);
                messagesSent = 0;
            }
        }
    }

    /**
     * The cluster lost the counts reported so far (its store restarted empty): the next report carries this node's
     * whole count of the period and of admissions again.
     */
    synchronized void reportAgainInFull() {
        messagesSent = 0;
        openedSent = 0;
    }

    /** Restores a persisted count if it belongs to the current period; a count of an older period is dropped. */
    void restore(long periodStartMillis, long used) {
        if (periodStartMillis == this.periodStartMillis) {
            messagesUsed.set(used);
            if (cluster.shared()) { // the cluster's count has them already
                synchronized (this) {
                    messagesSent = used;
                }
            }
        }
    }

    private long periodStart(long nowMillis) {
        long period = config.limits().period().toMillis();
        return Math.floorDiv(nowMillis, period) * period;
    }

    /** This app's usage: this node's counts, or in a cluster the totals of the last report plus what changed here. */
    Usage usage() {
        long start = periodStartMillis;
        long end = start + config.limits().period().toMillis();
        Reported last = reported;
        if (last == null) {
            return new Usage(id, start, end, connections.get(), peakConnections.get(), messagesUsed.get(),
                    connectionsOpened.get());
        }
        int now = Math.max(0, last.totals.connections() + connections.get() - last.connections);
        return new Usage(id, start, end, now, Math.max(last.totals.peakConnections(), now),
                clusterMessages(messagesUsed.get()), last.totals.opened() + connectionsOpened.get() - last.opened);
    }

    /** This node's open connections of the app (the cluster's are in {@link #usage}). */
    int localConnections() {
        return connections.get();
    }
}
