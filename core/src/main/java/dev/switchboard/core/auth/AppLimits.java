package dev.switchboard.core.auth;

import java.time.Duration;

/**
 * Per-app limits (auth.md §1, spec/limits.md §2–3, docs/limits.md). {@code null} means unlimited for the quotas and
 * "the server's default" for the rate.
 *
 * @param maxConcurrentConnections open WebSockets of the app at once (→ close 4010 at admission)
 * @param maxMessagesPerPeriod     {@code publish} + {@code send} per accounting period (→ {@code over_message_quota})
 * @param period                   the accounting period, counted from the Unix epoch in UTC; {@code null} = 30 days
 * @param messageRatePerSecond     per-connection token-bucket refill (→ close 4011); {@code null} = server default
 * @param messageRateBurst         per-connection token-bucket capacity; {@code null} = server default
 */
public record AppLimits(Integer maxConcurrentConnections, Long maxMessagesPerPeriod, Duration period,
                        Double messageRatePerSecond, Integer messageRateBurst) {

    /** The accounting period when none is configured. */
    public static final Duration DEFAULT_PERIOD = Duration.ofDays(30);

    /** No limits; the server's default rate. */
    public static final AppLimits UNLIMITED = new AppLimits(null, null);

    public AppLimits {
        period = period == null ? DEFAULT_PERIOD : period;
        if (period.toMillis() < 1000) {
            throw new IllegalArgumentException("period must be at least one second");
        }
        if (messageRatePerSecond != null && !(messageRatePerSecond > 0)) {
            throw new IllegalArgumentException("messageRatePerSecond must be positive");
        }
        if (messageRateBurst != null && messageRateBurst < 1) {
            throw new IllegalArgumentException("messageRateBurst must be positive");
        }
    }

    /** Quotas only, with the default period and the server's default rate. */
    public AppLimits(Integer maxConcurrentConnections, Long maxMessagesPerPeriod) {
        this(maxConcurrentConnections, maxMessagesPerPeriod, null, null, null);
    }
}
