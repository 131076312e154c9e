package dev.switchboard.redis;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Per-sender order across the shards of a Redis Cluster (protocol.md §8.3). A node receives each shard on a
 * connection of its own, so what one peer causes on channels of different shards (its {@code joined} in a room,
 * then its {@code send} to a member) could arrive in the other order. So each item a node sends on a room or peer
 * channel is numbered (a clock of the node, in microseconds, that only grows) and carries the numbers of the
 * sender's items on other channels in the last {@link #WINDOW_MICROS}; a receiving node holds an item until it has
 * taken those of them that will reach it (channels it subscribed before they were sent), at most
 * {@link #MAX_HOLD_MICROS}.
 *
 * <p>Numbers and dispatch agree per channel: an item is numbered and handed to its connection under its channel's
 * stripe lock. Channels are named in dependencies by a 64-bit hash of their name.
 *
 * <p>Wire form: the origin field of an ordered payload is {@code NODE SEQ DEPS} (node ids have no spaces), DEPS
 * {@code hash:seq,hash:seq} in hex and decimal, possibly empty.
 */
final class ShardOrder {
    /** How long a sender's item on one channel is a dependency of its items on others. */
    static final long WINDOW_MICROS = TimeUnit.SECONDS.toMicros(2);
    /** The longest an item waits for its dependencies (a lost one: Redis restarted, a link broke). */
    static final long MAX_HOLD_MICROS = TimeUnit.SECONDS.toMicros(1);
    /** Clock difference between nodes allowed for when telling whether an item predates a subscription. */
    static final long SKEW_MICROS = TimeUnit.MILLISECONDS.toMicros(100);
    /** A sender's dependencies carried at most. */
    private static final int MAX_DEPENDENCIES = 16;

    private final String nodeId;
    /** The wall clock in microseconds (millisecond resolution is enough: {@link #next} adds the rest). */
    private final LongSupplier wallMicros;
    private final AtomicLong clock = new AtomicLong();
    private final Object[] stripes = new Object[64];
    /** APP\0PEER → its items of the last window: channel hash → {seq}. */
    private final ConcurrentHashMap<String, Recent> recent = new ConcurrentHashMap<>();

    /**
     * Channel hash → when this node's subscription to it took effect (µs, this node's clock). Concurrent, not under
     * the lock: unsubscribing happens under a room lock, and the lock below is held while delivering to rooms.
     */
    private final Map<Long, Long> subscribedAt = new ConcurrentHashMap<>();

    // Receiving side, under this object's lock (held while delivering: it takes room locks, never the reverse).
    /** Channel hash → origin node → the number of the last item taken from it on that channel. */
    private final Map<Long, Map<String, Long>> lastSeen = new HashMap<>();
    /** ORIGIN + channel hash → items held back, in arrival order. */
    private final Map<String, ArrayDeque<Held>> held = new LinkedHashMap<>();
    private int heldCount;

    ShardOrder(String nodeId) {
        this(nodeId, () -> System.currentTimeMillis() * 1000);
    }

    ShardOrder(String nodeId, LongSupplier wallMicros) {
        this.nodeId = nodeId;
        this.wallMicros = wallMicros;
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new Object();
        }
    }

    /** This node's clock in microseconds, growing by at least one per call. */
    long next() {
        long now = wallMicros.getAsLong();
        return clock.updateAndGet(last -> Math.max(last + 1, now));
    }

    static long hash(byte[] channel) {
        long h = 0xcbf29ce484222325L; // FNV-1a
        for (byte b : channel) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Sending
    // ---------------------------------------------------------------------------------------------------------

    /**
     * Numbers an item of {@code sender} (APP\0PEER, or null for none) on {@code channel}, and on {@code also} too
     * if not null (a publication sent on its app's feed as well), and hands {@code dispatch} the origin field to
     * send it with, under the channels' stripes so that numbers follow the order of dispatch on each.
     */
    <T> T send(String sender, byte[] channel, byte[] also, Function<String, T> dispatch) {
        long channelHash = hash(channel);
        Object first = stripes[(int) (channelHash & (stripes.length - 1))];
        if (also == null) {
            synchronized (first) {
                return numbered(sender, channelHash, 0, dispatch);
            }
        }
        long alsoHash = hash(also);
        Object second = stripes[(int) (alsoHash & (stripes.length - 1))];
        if (first == second) {
            synchronized (first) {
                return numbered(sender, channelHash, alsoHash, dispatch);
            }
        }
        boolean firstFirst = (channelHash & (stripes.length - 1)) < (alsoHash & (stripes.length - 1));
        synchronized (firstFirst ? first : second) { // stripes in index order: no two senders wait on each other
            synchronized (firstFirst ? second : first) {
                return numbered(sender, channelHash, alsoHash, dispatch);
            }
        }
    }

    private <T> T numbered(String sender, long channelHash, long alsoHash, Function<String, T> dispatch) {
        long seq = next();
        String deps = sender == null ? "" : recent.computeIfAbsent(sender, s -> new Recent())
                .record(channelHash, alsoHash, seq);
        return dispatch.apply(nodeId + ' ' + seq + ' ' + deps);
    }

    /** Forgets senders with nothing in the window (called now and then). */
    void forgetQuietSenders() {
        long horizon = next() - WINDOW_MICROS;
        recent.values().removeIf(r -> r.newest() < horizon);
    }

    /** One sender's recent items, by channel. */
    private final class Recent {
        private final LinkedHashMap<Long, Long> last = new LinkedHashMap<>();
        private long newest;

        /**
         * The dependencies of a new item on {@code channelHash} (and {@code alsoHash}, if not 0), numbered
         * {@code seq}, which is then recorded on both.
         */
        synchronized String record(long channelHash, long alsoHash, long seq) {
            long horizon = seq - WINDOW_MICROS;
            StringBuilder deps = new StringBuilder();
            for (Iterator<Map.Entry<Long, Long>> it = last.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<Long, Long> item = it.next();
                if (item.getValue() < horizon) {
                    it.remove();
                } else if (item.getKey() != channelHash && item.getKey() != alsoHash) {
                    if (!deps.isEmpty()) {
                        deps.append(',');
                    }
                    deps.append(Long.toHexString(item.getKey())).append(':').append(item.getValue());
                }
            }
            last.remove(channelHash); // re-inserted last: the eldest are dropped first
            last.put(channelHash, seq);
            if (alsoHash != 0) {
                last.remove(alsoHash);
                last.put(alsoHash, seq);
            }
            while (last.size() > MAX_DEPENDENCIES) {
                last.remove(last.keySet().iterator().next());
            }
            newest = seq;
            return deps.toString();
        }

        synchronized long newest() {
            return newest;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Receiving
    // ---------------------------------------------------------------------------------------------------------

    /** This node's subscription to {@code channel} took effect now. */
    void subscribed(byte[] channel) {
        subscribedAt.put(hash(channel), next());
    }

    /** This node no longer subscribes {@code channel} (what it saw of it is forgotten at the next expiry). */
    void unsubscribed(byte[] channel) {
        subscribedAt.remove(hash(channel));
    }

    /** The parts of an origin field: the node, and for an ordered item its number and dependencies. */
    record Origin(String node, long seq, String deps) {
        static Origin parse(String field) {
            int first = field.indexOf(' ');
            if (first < 0) {
                return new Origin(field, 0, "");
            }
            int second = field.indexOf(' ', first + 1);
            return new Origin(field.substring(0, first), Long.parseLong(field.substring(first + 1, second)),
                    field.substring(second + 1));
        }

        boolean ordered() {
            return seq > 0;
        }
    }

    /**
     * An item from {@code origin} arrived on {@code channel}: runs {@code deliver} now if every dependency that
     * will reach this node has been taken and nothing of the same origin and channel is held, else holds it.
     * Also runs whatever this arrival frees.
     */
    synchronized void arrived(Origin origin, byte[] channel, Runnable deliver) {
        long h = hash(channel);
        lastSeen.computeIfAbsent(h, k -> new HashMap<>()).merge(origin.node(), origin.seq(), Math::max);
        String queueKey = origin.node() + ' ' + h;
        ArrayDeque<Held> queue = held.get(queueKey);
        if ((queue == null || queue.isEmpty()) && satisfied(origin)) {
            deliver.run();
        } else {
            held.computeIfAbsent(queueKey, k -> new ArrayDeque<>())
                    .add(new Held(origin, deliver, wallMicros.getAsLong() + MAX_HOLD_MICROS));
            heldCount++;
        }
        if (heldCount > 0) {
            release(false);
        }
    }

    /** Runs held items whose time is up, and forgets what it saw of channels no longer subscribed (now and then). */
    synchronized void expire() {
        if (heldCount > 0) {
            release(true);
        }
        lastSeen.keySet().retainAll(subscribedAt.keySet());
    }

    /** How many items are held now. */
    synchronized int held() {
        return heldCount;
    }

    private void release(boolean expire) {
        boolean progress = true;
        long now = wallMicros.getAsLong();
        while (progress) {
            progress = false;
            for (Iterator<ArrayDeque<Held>> it = held.values().iterator(); it.hasNext(); ) {
                ArrayDeque<Held> queue = it.next();
                while (!queue.isEmpty()) {
                    Held head = queue.peek();
                    if (!satisfied(head.origin) && !(expire && now - head.deadline >= 0)) {
                        break;
                    }
                    queue.poll();
                    heldCount--;
                    head.deliver.run();
                    progress = true;
                }
                if (queue.isEmpty()) {
                    it.remove();
                }
            }
        }
    }

    /** Whether every dependency of {@code origin}'s item that will reach this node has been taken. */
    private boolean satisfied(Origin origin) {
        if (origin.deps().isEmpty()) {
            return true;
        }
        for (String dep : origin.deps().split(",")) {
            int colon = dep.indexOf(':');
            long channel = Long.parseUnsignedLong(dep.substring(0, colon), 16);
            long seq = Long.parseLong(dep.substring(colon + 1));
            Long since = subscribedAt.get(channel);
            if (since == null || since - SKEW_MICROS > seq) {
                continue; // not subscribed here, or subscribed after it was sent: it will not come
            }
            Map<String, Long> seen = lastSeen.get(channel);
            Long last = seen == null ? null : seen.get(origin.node());
            if (last == null || last < seq) {
                return false;
            }
        }
        return true;
    }

    private record Held(Origin origin, Runnable deliver, long deadline) {
    }
}
