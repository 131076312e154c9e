package dev.switchboard.core;

/**
 * Live counters of one app on this node since it started.
 *
 * @param appId the app
 * @param concurrentNow open WebSocket connections now
 * @param peakConcurrent the highest simultaneous count seen
 * @param messagesUsed {@code publish} + {@code send} attempts (WebSocket and REST), including over-quota ones
 * @param connectionsOpened connections admitted since start
 */
public record Usage(String appId, int concurrentNow, int peakConcurrent, long messagesUsed, long connectionsOpened) {
}
