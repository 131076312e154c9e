package dev.switchboard.server.rest;

/**
 * REST request limits (rest-api.md §1.5), from {@code server.restRateLimit}: token buckets per source IP and per
 * secret key, answered 429. A rate of 0 disables that limit.
 *
 * @param perKey         sustained requests per second per secret key
 * @param perKeyBurst    bucket size per secret key
 * @param perIp          sustained requests per second per source IP
 * @param perIpBurst     bucket size per source IP
 * @param exemptLoopback whether requests from a loopback address skip both limits
 */
public record RestRateLimit(int perKey, int perKeyBurst, int perIp, int perIpBurst, boolean exemptLoopback) {

    public static final RestRateLimit DEFAULTS = new RestRateLimit(50, 100, 100, 200, true);
}
