package dev.switchboard.core;

/**
 * Live counters of one app on this node.
 *
 * @param appId the app
 * @param periodStartMillis start of the current accounting period, Unix milliseconds
 * @param periodEndMillis end of the current accounting period (exclusive), Unix milliseconds
 * @param concurrentNow open WebSocket connections now
 * @param peakConcurrent the highest simultaneous count seen since start
 * @param messagesUsed {@code publish} + {@code send} attempts (WebSocket and REST) in the current period, including
 *                     over-quota ones
 * @param connectionsOpened connections admitted since start
 */
public record Usage(String appId, long periodStartMillis, long periodEndMillis, int concurrentNow,
                    int peakConcurrent, long messagesUsed, long connectionsOpened) {
}
