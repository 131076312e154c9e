package dev.switchboard.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The Lua scripts of the engine. Each runs atomically in Redis, which is what makes a presence change, its version
 * and its delta one step, so a room listed at version v is exactly the deltas up to v.
 *
 * <p>Keys (NUL joins app and room, node and peer):
 * <pre>
 * sb:nodes               ZSET  node → time of its last heartbeat (Redis's clock, ms)
 * sb:version             the global presence version: every change of any room takes the next one
 * sb:h:APP\0ROOM         HASH  NODE\0PEER → JOINVERSION\0METADATA    one entry per node holding the peer
 * sb:nr:NODE             SET   APP\0ROOM where the node has entries (to remove them when it dies)
 * sb:conn:APP            HASH  node → its open connections of the app
 * sb:peak:APP            the app's highest cluster-wide connection count
 * sb:opened:APP          connections admitted
 * sb:msg:APP             HASH  period → start of the accounting period (ms), count → message attempts in it
 * sb:na:NODE             SET   apps the node holds connection counts of
 * </pre>
 * Versions are global rather than per room so they never restart when a room's hash empties and is deleted.
 */
final class Scripts {
    private Scripts() {
    }

    /** A script's text and SHA-1 (for EVALSHA, with EVAL when Redis lost its script cache). */
    record Script(String text, String sha) {
        static Script of(String text) {
            try {
                byte[] digest = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
                return new Script(text, HexFormat.of().formatHex(digest));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** KEYS hash, sb:version, sb:nr:NODE, room channel; ARGV node, peer, metadata, APP\0ROOM. */
    static final Script ADD = Script.of("""
            local field = ARGV[1] .. '\\0' .. ARGV[2]
            if redis.call('HEXISTS', KEYS[1], field) == 1 then return 0 end
            local v = redis.call('INCR', KEYS[2])
            redis.call('HSET', KEYS[1], field, v .. '\\0' .. ARGV[3])
            redis.call('SADD', KEYS[3], ARGV[4])
            redis.call('PUBLISH', KEYS[4], 'J\\0' .. v .. '\\0' .. ARGV[1] .. '\\0' .. ARGV[2] .. '\\0' .. ARGV[3])
            return v
            """);

    /** KEYS hash, sb:version, sb:nr:NODE, room channel; ARGV node, peer, APP\0ROOM, 1 if the node's last entry. */
    static final Script REMOVE = Script.of("""
            local field = ARGV[1] .. '\\0' .. ARGV[2]
            if redis.call('HDEL', KEYS[1], field) == 0 then return 0 end
            local v = redis.call('INCR', KEYS[2])
            if ARGV[4] == '1' then redis.call('SREM', KEYS[3], ARGV[3]) end
            redis.call('PUBLISH', KEYS[4], 'L\\0' .. v .. '\\0' .. ARGV[1] .. '\\0' .. ARGV[2] .. '\\0')
            return v
            """);

    /** KEYS hash, sb:version. Returns {version, {field, value, …}}. */
    static final Script LIST = Script.of("""
            return {redis.call('GET', KEYS[2]) or '0', redis.call('HGETALL', KEYS[1])}
            """);

    /** KEYS sb:nodes; ARGV node, timeout ms. Records the heartbeat; returns the nodes silent for the timeout. */
    static final Script HEARTBEAT = Script.of("""
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            redis.call('ZADD', KEYS[1], now, ARGV[1])
            return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
            """);

    /** KEYS sb:nodes; ARGV node, timeout ms. 1 if the node heart-beat within the timeout. */
    static final Script ALIVE = Script.of("""
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local seen = redis.call('ZSCORE', KEYS[1], ARGV[1])
            if seen and tonumber(seen) > now - tonumber(ARGV[2]) then return 1 end
            return 0
            """);

    /**
     * KEYS sb:nodes, sb:version; ARGV node, timeout ms, 1 to remove it regardless (it leaves). Removes a dead
     * node's entries with a {@code left} delta each and gives back its connection slots; -1 if it is alive.
     */
    static final Script REAP = Script.of("""
            local node = ARGV[1]
            if ARGV[3] ~= '1' then
              local t = redis.call('TIME')
              local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
              local seen = redis.call('ZSCORE', KEYS[1], node)
              if not seen or tonumber(seen) > now - tonumber(ARGV[2]) then return -1 end
            end
            local prefix = node .. '\\0'
            local removed = 0
            for _, appRoom in ipairs(redis.call('SMEMBERS', 'sb:nr:' .. node)) do
              local hash = 'sb:h:' .. appRoom
              local entries = redis.call('HGETALL', hash)
              for i = 1, #entries, 2 do
                local field = entries[i]
                if string.sub(field, 1, #prefix) == prefix then
                  redis.call('HDEL', hash, field)
                  local v = redis.call('INCR', KEYS[2])
                  redis.call('PUBLISH', 'sb:c:' .. appRoom,
                    'L\\0' .. v .. '\\0' .. node .. '\\0' .. string.sub(field, #prefix + 1) .. '\\0')
                  removed = removed + 1
                end
              end
            end
            redis.call('DEL', 'sb:nr:' .. node)
            for _, app in ipairs(redis.call('SMEMBERS', 'sb:na:' .. node)) do
              redis.call('HDEL', 'sb:conn:' .. app, node)
            end
            redis.call('DEL', 'sb:na:' .. node)
            redis.call('ZREM', KEYS[1], node)
            return removed
            """);

    /** KEYS sb:conn:APP, sb:peak:APP, sb:na:NODE; ARGV node, cap, app. 1 if a slot was taken, 0 if full. */
    static final Script ACQUIRE = Script.of("""
            local sum = 0
            for _, c in ipairs(redis.call('HVALS', KEYS[1])) do sum = sum + tonumber(c) end
            if sum >= tonumber(ARGV[2]) then return 0 end
            redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
            redis.call('SADD', KEYS[3], ARGV[3])
            if sum + 1 > tonumber(redis.call('GET', KEYS[2]) or '0') then redis.call('SET', KEYS[2], sum + 1) end
            return 1
            """);

    /** KEYS sb:conn:APP; ARGV node. */
    static final Script RELEASE = Script.of("""
            if redis.call('HINCRBY', KEYS[1], ARGV[1], -1) <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
            return 1
            """);

    /**
     * KEYS sb:conn:APP, sb:peak:APP, sb:opened:APP, sb:msg:APP, sb:na:NODE; ARGV node, connections, opened since
     * the last report, messages since the last report, period start, app. Returns {connections, peak, opened,
     * messages} of the cluster.
     */
    static final Script REPORT = Script.of("""
            if tonumber(ARGV[2]) > 0 then
              redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
              redis.call('SADD', KEYS[5], ARGV[6])
            else
              redis.call('HDEL', KEYS[1], ARGV[1])
            end
            local sum = 0
            for _, c in ipairs(redis.call('HVALS', KEYS[1])) do sum = sum + tonumber(c) end
            local peak = math.max(tonumber(redis.call('GET', KEYS[2]) or '0'), sum)
            redis.call('SET', KEYS[2], peak)
            local opened = redis.call('INCRBY', KEYS[3], ARGV[3])
            local period = tonumber(redis.call('HGET', KEYS[4], 'period') or '0')
            local mine = tonumber(ARGV[5])
            if mine > period then
              redis.call('HSET', KEYS[4], 'period', ARGV[5], 'count', 0)
              period = mine
            end
            local count
            if mine == period then
              count = redis.call('HINCRBY', KEYS[4], 'count', ARGV[4])
            else
              count = tonumber(redis.call('HGET', KEYS[4], 'count') or '0')
            end
            return {sum, peak, opened, count}
            """);
}
