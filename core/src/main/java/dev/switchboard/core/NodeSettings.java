package dev.switchboard.core;

import dev.switchboard.protocol.Limits;
import java.time.Duration;

/**
 * The tunable numbers of one node (spec/limits.md "configurable" rows), with the spec's defaults.
 *
 * @param maxMessageSize payload cap advertised in {@code welcome} and enforced with close 1009
 * @param rateBurst per-connection token-bucket capacity (close 4011 when empty)
 * @param ratePerSecond per-connection token-bucket refill
 * @param outboxMaxBytes bytes that may wait for one slow connection before it is closed with 1008
 * @param pingInterval WebSocket ping period
 * @param pingGrace how long after a ping a silent connection is considered dead
 * @param drainTimeout how long a graceful shutdown waits for connections to close after {@code going_away}
 * @param outboundBudgetBytes what may wait in all outboxes of the node together, queue nodes included, before
 *                            the heaviest are closed with 1008 ({@link OutboundBudget})
 * @param historyBudgetBytes what the message history of all channels of the node may hold together; past it the
 *                           oldest messages of the largest streams go first (docs/history.md)
 */
public record NodeSettings(
        int maxMessageSize,
        int rateBurst,
        double ratePerSecond,
        long outboxMaxBytes,
        Duration pingInterval,
        Duration pingGrace,
        Duration drainTimeout,
        long outboundBudgetBytes,
        long historyBudgetBytes) {

    public static final int DEFAULT_RATE_BURST = 200;
    public static final double DEFAULT_RATE_PER_SECOND = 100;
    public static final long DEFAULT_OUTBOX_MAX_BYTES = 8L * 1024 * 1024;

    public NodeSettings {
        if (maxMessageSize < 1) {
            throw new IllegalArgumentException("maxMessageSize must be positive");
        }
        if (rateBurst < 1 || ratePerSecond <= 0) {
            throw new IllegalArgumentException("rate limit burst and perSecond must be positive");
        }
        if (outboxMaxBytes < maxMessageSize) {
            throw new IllegalArgumentException("outboxMaxBytes must hold at least one maximal message");
        }
        if (pingInterval.isNegative() || pingInterval.isZero() || pingGrace.isNegative() || pingGrace.isZero()) {
            throw new IllegalArgumentException("keepalive interval and grace must be positive");
        }
        if (drainTimeout.isNegative()) {
            throw new IllegalArgumentException("drain timeout must not be negative");
        }
        if (outboundBudgetBytes < outboxMaxBytes) {
            throw new IllegalArgumentException("outboundBudgetBytes must hold at least one connection's outbox");
        }
        if (historyBudgetBytes < 1) {
            throw new IllegalArgumentException("historyBudgetBytes must be positive");
        }
    }

    /** With the default history budget ({@link #defaultHistoryBudget}). */
    public NodeSettings(int maxMessageSize, int rateBurst, double ratePerSecond, long outboxMaxBytes,
                        Duration pingInterval, Duration pingGrace, Duration drainTimeout, long outboundBudgetBytes) {
        this(maxMessageSize, rateBurst, ratePerSecond, outboxMaxBytes, pingInterval, pingGrace, drainTimeout,
                outboundBudgetBytes, defaultHistoryBudget());
    }

    /** With the default node budget ({@link #defaultOutboundBudget}). */
    public NodeSettings(int maxMessageSize, int rateBurst, double ratePerSecond, long outboxMaxBytes,
                        Duration pingInterval, Duration pingGrace, Duration drainTimeout) {
        this(maxMessageSize, rateBurst, ratePerSecond, outboxMaxBytes, pingInterval, pingGrace, drainTimeout,
                Math.max(outboxMaxBytes, defaultOutboundBudget()));
    }

    /** A quarter of the maximum heap, and at least 64 MiB. */
    public static long defaultOutboundBudget() {
        return Math.max(64L << 20, Runtime.getRuntime().maxMemory() / 4);
    }

    /** An eighth of the maximum heap, and at least 16 MiB. */
    public static long defaultHistoryBudget() {
        return Math.max(16L << 20, Runtime.getRuntime().maxMemory() / 8);
    }

    public static NodeSettings defaults() {
        return new NodeSettings(
                Limits.MAX_MESSAGE_SIZE,
                DEFAULT_RATE_BURST,
                DEFAULT_RATE_PER_SECOND,
                DEFAULT_OUTBOX_MAX_BYTES,
                Duration.ofSeconds(30),
                Duration.ofSeconds(10),
                Duration.ofMillis(Limits.GOING_AWAY_RETRY_AFTER_MS));
    }

    /** The inbound WebSocket frame limit: payload cap plus the envelope allowance. */
    public int maxFrameBytes() {
        return Limits.maxFrameBytes(maxMessageSize);
    }
}
