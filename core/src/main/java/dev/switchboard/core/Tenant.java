package dev.switchboard.core;

import dev.switchboard.core.auth.AppConfig;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The live state of one app on this node: its hub and its usage counters (concurrent connections against
 * {@code maxConcurrentConnections}, messages against {@code maxMessagesPerPeriod}).
 */
final class Tenant {
    final AppConfig config;
    final Hub hub = new Hub();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger peakConnections = new AtomicInteger();
    private final AtomicLong messagesUsed = new AtomicLong();
    private final AtomicLong connectionsOpened = new AtomicLong();

    Tenant(AppConfig config) {
        this.config = config;
    }

    /** Takes a connection slot; false if the app is at its concurrent-connection cap (close 4010). */
    boolean tryAdmit() {
        Integer cap = config.limits() == null ? null : config.limits().maxConcurrentConnections();
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
        Long quota = config.limits() == null ? null : config.limits().maxMessagesPerPeriod();
        return quota == null || used <= quota;
    }

    Usage usage() {
        return new Usage(config.id(), connections.get(), peakConnections.get(), messagesUsed.get(),
                connectionsOpened.get());
    }
}
