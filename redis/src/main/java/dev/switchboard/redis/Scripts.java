package dev.switchboard.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The Lua scripts of the engine. Each runs atomically in Redis, which is what makes a presence change, its version
 * and its delta one step, so a room listed at version v is exactly the deltas up to v. Each touches the keys of one
 * slot ({@link Wire}'s hash tags), so the same scripts run on one Redis and on a Redis Cluster; the ones that
 * publish take the command as an argument ({@code PUBLISH}, or {@code SPUBLISH} on a cluster).
 *
 * <p>Keys (NUL joins app and room, node and peer):
 * <pre>
 * sb:{nodes}             ZSET  node → time of its last heartbeat (Redis's clock, ms)
 * sb:{nodes}:reaped      ZSET  node → when a survivor started removing its entries (ms), until it heart-beats
 * sb:{nodes}:patterns    SET   APP\0NODE while the node holds pattern rooms of the app (Redis Cluster only)
 * sb:{nodes}:epoch       a marker of the data set, to tell a Redis that lost everything from a blip
 * sb:h:{APP\0ROOM}       HASH  NODE\0PEER → JOINVERSION\0METADATA    one entry per node holding the peer
 * sb:v:{APP\0ROOM}       the room's presence version (microseconds of Redis's clock, at least the last one + 1)
 * sb:nr:{NODE}           SET   APP\0ROOM where the node has entries (to remove them when it dies)
 * sb:na:{NODE}           SET   apps the node holds connection counts of
 * sb:conn:{APP}          HASH  node → its open connections of the app
 * sb:peak:{APP}          the app's highest cluster-wide connection count
 * sb:opened:{APP}        connections admitted
 * sb:msg:{APP}           HASH  period → start of the accounting period (ms), count → message attempts in it
 * sb:s:{APP\0CHANNEL}     HASH  epoch, offset (the newest's), ttl (ms) of a channel with history; kept a day
 * sb:x:{APP\0CHANNEL}     STREAM  OFFSET-1 → t (ms), f, m, d: the newest publications (size, TTL)
 * sb:k:{APP\0PEER}:CHANNEL LIST  OFFSET:EPOCH:EXPIRES where the peer's dropped connections stood
 * </pre>
 * A room's version follows Redis's clock rather than a counter, so it never goes back when the room's keys expire
 * or Redis restarts empty: a node holding the room at version v takes every later delta as newer.
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

    /** The next version of the room whose version key is {@code key}, as a decimal string. */
    private static final String NEXT_VERSION = """
            local function next_version(key)
              local t = redis.call('TIME')
              local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
              local v = math.max(tonumber(redis.call('GET', key) or '0') + 1, now)
              local s = string.format('%.0f', v)
              redis.call('SET', key, s, 'PX', 86400000)
              return s
            end
            """;

    /** Redis's clock in milliseconds, as {@code now}. */
    private static final String NOW = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            """;

    /**
     * KEYS hash, version, room channel; ARGV node, peer, metadata, publish command, replace-before (µs: an entry
     * joined before it is being removed by a survivor that took this node for dead, and is written afresh), the
     * delta's origin field (the node, on a Redis Cluster with its order: {@link ShardOrder}). 1 if the entry was
     * written, 0 if it was there.
     */
    static final Script ADD = Script.of(NEXT_VERSION + """
            local field = ARGV[1] .. '\\0' .. ARGV[2]
            local old = redis.call('HGET', KEYS[1], field)
            if old then
              local joined = tonumber(string.match(old, '^(%d+)'))
              if joined >= tonumber(ARGV[5]) then return 0 end
            end
            local v = next_version(KEYS[2])
            redis.call('HSET', KEYS[1], field, v .. '\\0' .. ARGV[3])
            redis.call(ARGV[4], KEYS[3], 'J\\0' .. v .. '\\0' .. ARGV[6] .. '\\0' .. ARGV[2] .. '\\0' .. ARGV[3])
            return 1
            """);

    /**
     * KEYS hash, version, room channel; ARGV node, peer, publish command, the delta's origin field. 1 if there was
     * an entry, else 0.
     */
    static final Script REMOVE = Script.of(NEXT_VERSION + """
            local field = ARGV[1] .. '\\0' .. ARGV[2]
            if redis.call('HDEL', KEYS[1], field) == 0 then return 0 end
            local v = next_version(KEYS[2])
            redis.call(ARGV[3], KEYS[3], 'L\\0' .. v .. '\\0' .. ARGV[4] .. '\\0' .. ARGV[2] .. '\\0')
            return 1
            """);

    /** KEYS hash, version. Returns {version, {field, value, …}}. */
    static final Script LIST = Script.of("""
            return {redis.call('GET', KEYS[2]) or '0', redis.call('HGETALL', KEYS[1])}
            """);

    /**
     * KEYS sb:{nodes}, sb:{nodes}:reaped, sb:{nodes}:patterns; ARGV node, timeout ms. Records the heartbeat.
     * Returns {the nodes silent for the timeout, when a survivor began to reap this node (0 if none did), the
     * pattern holders, the live nodes}.
     */
    static final Script HEARTBEAT = Script.of(NOW + """
            redis.call('ZADD', KEYS[1], now, ARGV[1])
            local reaped = redis.call('ZSCORE', KEYS[2], ARGV[1]) or '0'
            redis.call('ZREM', KEYS[2], ARGV[1])
            redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - 86400000)
            local stale = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
            local live = redis.call('ZCOUNT', KEYS[1], '(' .. (now - tonumber(ARGV[2])), '+inf')
            return {stale, reaped, redis.call('SMEMBERS', KEYS[3]), live}
            """);

    /** KEYS sb:{nodes}; ARGV node, timeout ms. 1 if the node heart-beat within the timeout. */
    static final Script ALIVE = Script.of(NOW + """
            local seen = redis.call('ZSCORE', KEYS[1], ARGV[1])
            if seen and tonumber(seen) > now - tonumber(ARGV[2]) then return 1 end
            return 0
            """);

    /**
     * KEYS sb:{nodes}, sb:{nodes}:reaped; ARGV node, timeout ms. If the node has been silent for the timeout, marks
     * it as being reaped (the first mark stays) and returns the mark's time (ms); -1 if it is alive or gone.
     */
    static final Script MARK = Script.of(NOW + """
            local seen = redis.call('ZSCORE', KEYS[1], ARGV[1])
            if not seen or tonumber(seen) > now - tonumber(ARGV[2]) then return -1 end
            redis.call('ZADD', KEYS[2], 'NX', now, ARGV[1])
            return tonumber(redis.call('ZSCORE', KEYS[2], ARGV[1]))
            """);

    /**
     * KEYS hash, version, room channel; ARGV node, before (µs), publish command. Removes the node's entries that
     * joined before {@code before}, with a {@code left} delta each; returns how many.
     */
    static final Script REAP_ROOM = Script.of(NEXT_VERSION + """
            local prefix = ARGV[1] .. '\\0'
            local removed = 0
            local entries = redis.call('HGETALL', KEYS[1])
            for i = 1, #entries, 2 do
              local field = entries[i]
              if string.sub(field, 1, #prefix) == prefix
                  and tonumber(string.match(entries[i + 1], '^(%d+)')) < tonumber(ARGV[2]) then
                redis.call('HDEL', KEYS[1], field)
                local v = next_version(KEYS[2])
                redis.call(ARGV[3], KEYS[3],
                  'L\\0' .. v .. '\\0' .. ARGV[1] .. '\\0' .. string.sub(field, #prefix + 1) .. '\\0')
                removed = removed + 1
              end
            end
            return removed
            """);

    /**
     * A channel's stream: its epoch, created (with the candidate epoch, the stream emptied) if the position hash
     * is gone; and the expiry of entries past the TTL, oldest first.
     */
    private static final String STREAM = NOW + """
            local function epoch_of(meta, stream, candidate)
              local epoch = redis.call('HGET', meta, 'epoch')
              if not epoch then
                epoch = candidate
                redis.call('DEL', stream)
                redis.call('HSET', meta, 'epoch', epoch, 'offset', 0)
              end
              redis.call('PEXPIRE', meta, 86400000)
              return epoch
            end
            local function expire(stream, ttl)
              if ttl <= 0 then return end
              local cutoff = now - ttl
              while true do
                local first = redis.call('XRANGE', stream, '-', '+', 'COUNT', 1)
                if #first == 0 or tonumber(first[1][2][2]) > cutoff then return end
                redis.call('XDEL', stream, first[1][1])
              end
            end
            """;

    /**
     * KEYS position hash, stream, room channel; ARGV head (the payload up to {@code from}: {@link Wire}), from,
     * fromMetadata, data, size, ttl ms, candidate epoch, publish command. Appends the publication with the next
     * offset and publishes it with its position. Returns {offset, epoch, receivers}.
     */
    static final Script APPEND = Script.of(STREAM + """
            local epoch = epoch_of(KEYS[1], KEYS[2], ARGV[7])
            local offset = redis.call('HINCRBY', KEYS[1], 'offset', 1)
            redis.call('HSET', KEYS[1], 'ttl', ARGV[6])
            redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[5], offset .. '-1', 't', now, 'f', ARGV[2], 'm', ARGV[3],
              'd', ARGV[4])
            expire(KEYS[2], tonumber(ARGV[6]))
            redis.call('PEXPIRE', KEYS[2], ARGV[6])
            local receivers = redis.call(ARGV[8], KEYS[3],
              ARGV[1] .. offset .. '\\0' .. epoch .. '\\0' .. ARGV[3] .. '\\0' .. ARGV[4])
            return {offset, epoch, receivers}
            """);

    /**
     * KEYS position hash, stream; ARGV epoch asked (or empty), after (or empty: the newest), count, candidate
     * epoch. Returns {epoch, last offset, first retained offset, entries (newest first when after is empty)}.
     */
    static final Script READ = Script.of(STREAM + """
            local epoch = epoch_of(KEYS[1], KEYS[2], ARGV[4])
            expire(KEYS[2], tonumber(redis.call('HGET', KEYS[1], 'ttl') or '0'))
            local last = redis.call('HGET', KEYS[1], 'offset')
            local first = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)
            local first_offset = tostring(tonumber(last) + 1)
            if #first > 0 then first_offset = string.match(first[1][1], '^(%d+)') end
            local entries
            if ARGV[2] == '' then
              entries = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', ARGV[3])
            else
              local after = ARGV[2]
              if ARGV[1] ~= '' and ARGV[1] ~= epoch then after = '0' end
              entries = redis.call('XRANGE', KEYS[2], '(' .. after .. '-1', '+', 'COUNT', ARGV[3])
            end
            return {epoch, last, first_offset, entries}
            """);

    /** Parses a cursor OFFSET:EPOCH:EXPIRES. */
    private static final String CURSOR = """
            local function cursor(c)
              local o, e, x = string.match(c, '^(%d+):([^:]*):(%d+)$')
              return tonumber(o), e, tonumber(x)
            end
            """;

    /**
     * KEYS the cursor list; ARGV cursor (OFFSET:EPOCH:EXPIRES), most kept, now (ms). Keeps the cursor; with the
     * list full, the oldest positions stay (as {@code Cursors.put}): it replaces the kept one of its epoch furthest
     * on, if that is further on than it. Returns how many are kept.
     */
    static final Script KEEP_CURSOR = Script.of(CURSOR + """
            local offset, epoch, expires = cursor(ARGV[1])
            local now = tonumber(ARGV[3])
            local kept = {}
            for _, c in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
              local o, e, x = cursor(c)
              if x > now then table.insert(kept, c) end
            end
            if #kept >= tonumber(ARGV[2]) then
              local furthest, furthest_offset = nil, offset
              for i, c in ipairs(kept) do
                local o, e, x = cursor(c)
                if e == epoch and o > furthest_offset then furthest, furthest_offset = i, o end
              end
              if furthest == nil then return #kept end
              table.remove(kept, furthest)
            end
            table.insert(kept, ARGV[1])
            redis.call('DEL', KEYS[1])
            local latest = expires
            for _, c in ipairs(kept) do
              local o, e, x = cursor(c)
              if x > latest then latest = x end
              redis.call('RPUSH', KEYS[1], c)
            end
            redis.call('PEXPIRE', KEYS[1], math.max(1, latest - now))
            return #kept
            """);

    /**
     * KEYS the cursor list; ARGV the stream's epoch (or empty), now (ms). Takes the oldest unexpired cursor, one of
     * another epoch first (its stream was lost: it is behind everything); returns it, or false if none.
     */
    static final Script CLAIM_CURSOR = Script.of(CURSOR + """
            local now = tonumber(ARGV[2])
            local best, best_offset, best_lost
            for _, c in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
              local o, e, x = cursor(c)
              if x <= now then
                redis.call('LREM', KEYS[1], 1, c)
              else
                local lost = ARGV[1] ~= '' and e ~= ARGV[1]
                if best == nil or (lost and not best_lost) or (lost == best_lost and o < best_offset) then
                  best, best_offset, best_lost = c, o, lost
                end
              end
            end
            if best == nil then return false end
            redis.call('LREM', KEYS[1], 1, best)
            return best
            """);

    /** KEYS sb:conn:{APP}; ARGV node. Gives back a dead node's connection slots. */
    static final Script REAP_APP = Script.of("""
            return redis.call('HDEL', KEYS[1], ARGV[1])
            """);

    /**
     * KEYS sb:{nodes}, sb:{nodes}:patterns; ARGV node, timeout ms, 1 if the node leaves. After its entries are
     * removed: forgets a node that is still silent or leaves (1), or leaves it be if it heart-beat meanwhile (0).
     */
    static final Script FORGET = Script.of(NOW + """
            local seen = redis.call('ZSCORE', KEYS[1], ARGV[1])
            if ARGV[3] ~= '1' and seen and tonumber(seen) > now - tonumber(ARGV[2]) then return 0 end
            redis.call('ZREM', KEYS[1], ARGV[1])
            local suffix = '\\0' .. ARGV[1]
            for _, holder in ipairs(redis.call('SMEMBERS', KEYS[2])) do
              if string.sub(holder, -#suffix) == suffix then redis.call('SREM', KEYS[2], holder) end
            end
            return 1
            """);

    /** KEYS sb:conn:{APP}, sb:peak:{APP}; ARGV node, cap. 1 if a slot was taken, 0 if full. */
    static final Script ACQUIRE = Script.of("""
            local sum = 0
            for _, c in ipairs(redis.call('HVALS', KEYS[1])) do sum = sum + tonumber(c) end
            if sum >= tonumber(ARGV[2]) then return 0 end
            redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
            if sum + 1 > tonumber(redis.call('GET', KEYS[2]) or '0') then redis.call('SET', KEYS[2], sum + 1) end
            return 1
            """);

    /** KEYS sb:conn:{APP}; ARGV node. */
    static final Script RELEASE = Script.of("""
            if redis.call('HINCRBY', KEYS[1], ARGV[1], -1) <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
            return 1
            """);

    /**
     * KEYS sb:conn:{APP}, sb:peak:{APP}, sb:opened:{APP}, sb:msg:{APP}; ARGV node, connections, opened since the
     * last report, messages since the last report, period start. Returns {connections, peak, opened, messages} of
     * the cluster.
     */
    static final Script REPORT = Script.of("""
            if tonumber(ARGV[2]) > 0 then
              redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
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
