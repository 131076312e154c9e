package dev.switchboard.core;

import dev.switchboard.core.auth.ChannelRule;
import dev.switchboard.core.spi.Streams;
import dev.switchboard.core.spi.Streams.Entry;
import dev.switchboard.protocol.RawJson;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The message history of one app's channels on this node (docs/history.md): per channel a {@link Stream} of the
 * newest publications, each with its {@code offset} in the stream, bounded by the channel rule's size and TTL and
 * by the node's history budget ({@link Budget}).
 *
 * <p>A stream's {@code epoch} is drawn at random when the stream is created: a stream that is lost (the node
 * restarted, or the stream expired while idle and starts again) comes back with a new epoch, so a position of the
 * old one is never taken for a position of the new.
 *
 * <p>On a cluster the streams live in the engine ({@link Streams}) and these are the node's copies of those its
 * connections use ({@link #lockCopy}): loaded when a room gets its first subscriber here, then fed each
 * publication in offset order, with the offsets and epoch the engine gave; replays come from them.
 */
final class History {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ConcurrentHashMap<String, Stream> streams = new ConcurrentHashMap<>();
    private final Budget budget;

    History(Budget budget) {
        this.budget = budget;
    }

    /** The stream of {@code channel}, created with {@code epoch} if it has none. */
    private Stream orCreate(String channel, Supplier<String> epoch, long nowMillis) {
        Stream stream = streams.get(channel);
        return stream != null ? stream : streams.computeIfAbsent(channel, name -> {
            budget.add(Stream.OVERHEAD);
            return new Stream(name, epoch.get(), budget, nowMillis);
        });
    }

    /** {@code stream} with its lock held, or null if it was dropped (its lookup is to be made again). */
    private static Stream locked(Stream stream) {
        stream.lock.lock();
        if (!stream.dropped) {
            return stream;
        }
        stream.lock.unlock();
        return null;
    }

    /** The stream of {@code channel} (created, with a new epoch, if it has none) with its lock held. */
    Stream lock(String channel, ChannelRule.History rule, long nowMillis) {
        for (;;) {
            Stream stream = locked(orCreate(channel, History::newEpoch, nowMillis));
            if (stream != null) {
                stream.rule = rule;
                return stream;
            }
        }
    }

    /**
     * On a cluster, this node's copy of {@code channel}'s stream in the cluster's {@link Streams} store, of epoch
     * {@code epoch}, with its lock held: created if it has none, replaced by an empty one if it has another epoch
     * (the store lost the stream and started a new one). The copy holds what this node received of the stream
     * while subscribed to the channel, and what it read when it subscribed ({@link Stream#load}).
     */
    Stream lockCopy(String channel, ChannelRule.History rule, String epoch, long nowMillis) {
        for (;;) {
            Stream stream = locked(orCreate(channel, () -> epoch, nowMillis));
            if (stream == null) {
                continue;
            }
            if (stream.epoch.equals(epoch)) {
                stream.rule = rule;
                return stream;
            }
            streams.remove(channel, stream);
            stream.drop();
            stream.lock.unlock();
        }
    }

    /** The stream of {@code channel} with its lock held, or null if it has none. */
    Stream lockExisting(String channel) {
        for (;;) {
            Stream stream = streams.get(channel);
            if (stream == null) {
                return null;
            }
            Stream held = locked(stream);
            if (held != null) {
                return held;
            }
        }
    }

    /** The stream of {@code channel}, or null if it has none. */
    Stream existing(String channel) {
        return streams.get(channel);
    }

    /**
     * Drops expired entries, and streams left with none that have been idle past their TTL and that no connection
     * of this node is subscribed to ({@code subscribed}: its followers would lose their place). Returns the bytes
     * of the streams that remain. Called by the node's sweep.
     */
    long sweep(long nowMillis, Predicate<String> subscribed) {
        long bytes = 0;
        for (Iterator<Stream> it = streams.values().iterator(); it.hasNext(); ) {
            Stream stream = it.next();
            stream.lock.lock();
            try {
                stream.expire(nowMillis);
                if (stream.entries.isEmpty() && nowMillis - stream.lastAppendMillis > stream.rule.ttl().toMillis()
                        && !subscribed.test(stream.channel)) {
                    it.remove();
                    stream.drop();
                }
                bytes += stream.bytes;
            } finally {
                stream.lock.unlock();
            }
        }
        return bytes;
    }

    /**
     * Halves the largest streams, largest first, until the node's history is under its budget again (after
     * {@link #sweep}); one pass, so a node with a million small streams is not scanned once per stream.
     */
    void trimToBudget() {
        if (!budget.over()) {
            return;
        }
        List<Stream> largestFirst = new ArrayList<>(streams.values());
        largestFirst.sort((a, b) -> Long.compare(b.bytes, a.bytes)); // a racy read of sizes is good enough here
        for (Stream stream : largestFirst) {
            if (!budget.over() || stream.bytes == 0) {
                return;
            }
            stream.lock.lock();
            try {
                stream.trimHalf();
            } finally {
                stream.lock.unlock();
            }
        }
    }

    /** The copies loaded from a cluster's store whose channel {@code subscribed} says is in use here. */
    List<Stream> loadedCopies(Predicate<String> subscribed) {
        List<Stream> found = new ArrayList<>();
        for (Stream stream : streams.values()) {
            if (stream.loaded && subscribed.test(stream.channel)) {
                found.add(stream);
            }
        }
        return found;
    }

    int streamCount() {
        return streams.size();
    }

    private static String newEpoch() {
        return Long.toString(RANDOM.nextLong() >>> 16, 36);
    }

    /** What an entry costs the budget: its payloads plus about 100 bytes of object headers and fields. */
    private static long bytes(Entry entry) {
        RawJson metadata = entry.fromMetadata();
        return entry.data().length() + (metadata == null ? 0 : metadata.length()) + entry.from().length() + 100;
    }

    /**
     * The history of one channel. {@link #lock} orders its publications: a publish appends and hands the message
     * to the channel's subscribers while holding it, and a subscribe that replays from the stream joins the room
     * while holding it, so nothing published falls between the replay and the live messages (docs/locks.md).
     */
    static final class Stream {
        /** What a stream costs the budget beside its entries: the object, its deque, lock and map entry. */
        static final long OVERHEAD = 256;
        final String channel;
        final String epoch;
        final ReentrantLock lock = new ReentrantLock();
        private final Budget budget;
        private final ArrayDeque<Entry> entries = new ArrayDeque<>();
        volatile ChannelRule.History rule;
        /** The offset of the newest publication (0 before the first); offsets start at 1 and never repeat. */
        private long lastOffset;
        private long bytes;
        /** When the last message was appended, or the stream created. */
        private long lastAppendMillis;
        /** Set when the sweep removed the stream; a publish that still holds it looks it up again. */
        boolean dropped;
        /** On a cluster: set once the copy was loaded from the store, from when on it holds every message. */
        boolean loaded;
        /**
         * On a cluster: while a gap in the copy is read from the store, the publications that arrived after it, in
         * order (see {@code Relay}); null otherwise. Lock held.
         */
        List<Relay.Held> repairing;

        Stream(String channel, String epoch, Budget budget, long createdMillis) {
            this.channel = channel;
            this.epoch = epoch;
            this.budget = budget;
            this.lastAppendMillis = createdMillis;
        }

        /**
         * Appends publication {@code offset} of the cluster's stream (a copy's live message), unless the copy has it
         * already; returns whether it was new. A gap before it (messages lost on the way) is left a gap. Lock held.
         */
        boolean appendAt(long offset, long nowMillis, String from, RawJson data, RawJson fromMetadata) {
            if (offset <= lastOffset) {
                return false;
            }
            lastOffset = offset - 1;
            append(nowMillis, from, data, fromMetadata);
            return true;
        }

        /**
         * Brings a copy up to {@code range}, read from the cluster's store after this node subscribed to the
         * channel: its entries replace what the copy kept up to the range's end (from an earlier spell subscribed,
         * possibly with gaps since), and what arrived live since the subscription, after it, stays. Lock held.
         */
        void load(Streams.Range range, long nowMillis) {
            long end = range.lastOffset();
            List<Entry> live = new ArrayList<>();
            for (Entry entry : entries) {
                if (entry.offset() > end) {
                    live.add(entry);
                }
            }
            while (!entries.isEmpty()) {
                removeOldest();
            }
            for (Entry entry : range.entries()) {
                add(entry);
            }
            for (Entry entry : live) {
                add(entry);
            }
            lastOffset = Math.max(lastOffset, end);
            loaded = true;
            trim(nowMillis);
        }

        /** Appends a publication and returns its offset. Lock held. */
        long append(long nowMillis, String from, RawJson data, RawJson fromMetadata) {
            Entry entry = new Entry(++lastOffset, nowMillis, from, copy(data),
                    fromMetadata == null ? null : copy(fromMetadata));
            add(entry);
            lastAppendMillis = nowMillis;
            trim(nowMillis);
            return entry.offset();
        }

        private void add(Entry entry) {
            entries.addLast(entry);
            bytes += bytes(entry);
            budget.add(bytes(entry));
        }

        /** Keeps the stream to its rule's size and TTL, and pays first when the budget is over. */
        private void trim(long nowMillis) {
            while (entries.size() > rule.size()) {
                removeOldest();
            }
            expire(nowMillis);
            if (budget.over() && entries.size() > 1) { // this stream pays first; the sweep trims the largest
                removeOldest();
            }
        }

        /** Takes the stream out of the node's history (removed from the map by the caller). Lock held. */
        private void drop() {
            dropped = true;
            while (!entries.isEmpty()) {
                removeOldest();
            }
            budget.add(-OVERHEAD);
        }

        /** The offset of the newest publication, 0 if none yet. Lock held. */
        long lastOffset() {
            return lastOffset;
        }

        /** The offset of the oldest retained entry; {@code lastOffset + 1} when none is retained. Lock held. */
        long firstOffset() {
            return entries.isEmpty() ? lastOffset + 1 : entries.getFirst().offset();
        }

        /** The retained entries with an offset above {@code offset}, oldest first, at most {@code limit}. Lock held. */
        List<Entry> after(long offset, int limit, long nowMillis) {
            expire(nowMillis);
            List<Entry> found = new ArrayList<>();
            for (Entry entry : entries) {
                if (entry.offset() > offset) {
                    if (found.size() == limit) {
                        break;
                    }
                    found.add(entry);
                }
            }
            return found;
        }

        /** The newest {@code count} retained entries, oldest first. Lock held. */
        List<Entry> newest(int count, long nowMillis) {
            expire(nowMillis);
            List<Entry> all = new ArrayList<>(entries);
            return all.subList(Math.max(0, all.size() - count), all.size());
        }

        int size() {
            return entries.size();
        }

        private void expire(long nowMillis) {
            long cutoff = nowMillis - rule.ttl().toMillis();
            while (!entries.isEmpty() && entries.getFirst().atMillis() <= cutoff) {
                removeOldest();
            }
        }

        private void trimHalf() {
            for (int n = (entries.size() + 1) / 2; n > 0; n--) {
                removeOldest();
            }
        }

        private void removeOldest() {
            Entry oldest = entries.removeFirst();
            bytes -= bytes(oldest);
            budget.add(-bytes(oldest));
        }

        /** The payload in an array of its own: the decoded frame it views is not kept alive by the history. */
        private static RawJson copy(RawJson json) {
            return json.offset() == 0 && json.length() == json.array().length ? json
                    : RawJson.wrap(json.toByteArray());
        }
    }

    /** The bytes all apps' histories on this node may hold together. */
    static final class Budget {
        private final long limit;
        private final AtomicLong used = new AtomicLong();

        Budget(long limit) {
            this.limit = limit;
        }

        void add(long bytes) {
            used.addAndGet(bytes);
        }

        boolean over() {
            return used.get() > limit;
        }

        long used() {
            return used.get();
        }
    }
}
