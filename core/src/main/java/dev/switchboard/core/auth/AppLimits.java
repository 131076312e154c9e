package dev.switchboard.core.auth;

/**
 * Per-app quotas (auth.md §1). {@code null} means unlimited.
 *
 * @param maxConcurrentConnections open WebSockets of the app at once (→ close 4010 at admission)
 * @param maxMessagesPerPeriod     messages per billing period (→ {@code over_message_quota})
 */
public record AppLimits(Integer maxConcurrentConnections, Long maxMessagesPerPeriod) {

    /** No limits. */
    public static final AppLimits UNLIMITED = new AppLimits(null, null);
}
