package dev.switchboard.core.cluster;

import dev.switchboard.core.Cursors;
import dev.switchboard.core.spi.ClusterCounters;
import dev.switchboard.core.spi.PresenceStore;
import dev.switchboard.core.spi.Publication;
import dev.switchboard.core.spi.Streams;
import dev.switchboard.protocol.RawJson;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What the nodes of one process share: who subscribed to what, the presence registry, the peer registry and the
 * usage counters. Each node receives on a thread of its own ({@link MemoryCluster}), in the order things were
 * handed to it, as it would from Redis; nothing here ever waits for a node, so no node's lock is held while another
 * node's is taken.
 *
 * <p>Locking: {@code this} guards the presence registry, the peer registry, the counters and the streams; a room's
 * change and the hand-over of its delta happen under it, which is what keeps deltas in version order, and so do a
 * stream's append and the hand-over of the publication, which keeps publications in offset order.
 */
public final class MemoryBus {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final List<MemoryCluster> nodes = new CopyOnWriteArrayList<>();
    private final Map<String, Room> rooms = new HashMap<>();
    private final Map<String, Map<String, Integer>> peers = new HashMap<>();
    private final Map<String, App> apps = new HashMap<>();
    /** key(app, channel) → the channel's stream. */
    private final Map<String, Log> logs = new HashMap<>();
    /** App → where its peers' dropped connections stood. */
    private final Map<String, Cursors> cursors = new HashMap<>();

    /** A node joining the bus under {@code nodeId}, which must be unique on it. */
    public MemoryCluster join(String nodeId) {
        MemoryCluster node = new MemoryCluster(this, nodeId, true);
        for (MemoryCluster other : nodes) {
            if (other.nodeId().equals(nodeId)) {
                throw new IllegalArgumentException("node id in use: " + nodeId);
            }
        }
        nodes.add(node);
        return node;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Publications
    // ---------------------------------------------------------------------------------------------------------

    /** Hands {@code publication} to {@code deliver} for each other node subscribed to its channel. */
    void publish(MemoryCluster origin, Publication publication,
                 java.util.function.BiConsumer<MemoryCluster, Publication> deliver) {
        for (MemoryCluster node : nodes) {
            if (node != origin && node.wants(publication.app(), publication.channel())) {
                deliver.accept(node, publication);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Presence
    // ---------------------------------------------------------------------------------------------------------

    private static final class Room {
        long version;
        /** node + '\0' + peerId → entry, in join order. */
        final Map<String, PresenceStore.Member> members = new LinkedHashMap<>();
    }

    synchronized void add(MemoryCluster origin, String app, String room, String peerId, RawJson metadata) {
        Room state = rooms.computeIfAbsent(key(app, room), k -> new Room());
        PresenceStore.Member member = new PresenceStore.Member(origin.nodeId(), peerId, metadata);
        if (state.members.putIfAbsent(key(origin.nodeId(), peerId), member) == null) {
            announce(origin, new PresenceStore.Delta(app, room, ++state.version, member, true));
        }
    }

    synchronized void remove(MemoryCluster origin, String app, String room, String peerId) {
        Room state = rooms.get(key(app, room));
        if (state == null) {
            return;
        }
        PresenceStore.Member member = state.members.remove(key(origin.nodeId(), peerId));
        if (member != null) {
            announce(origin, new PresenceStore.Delta(app, room, ++state.version, member, false));
        }
    }

    synchronized PresenceStore.Members list(MemoryCluster asking, String app, String room) {
        Room state = rooms.get(key(app, room));
        if (state == null) {
            return PresenceStore.Members.NONE;
        }
        List<PresenceStore.Member> others = new ArrayList<>(state.members.size());
        for (PresenceStore.Member member : state.members.values()) {
            if (!member.node().equals(asking.nodeId())) {
                others.add(member);
            }
        }
        return new PresenceStore.Members(state.version, others);
    }

    /** Hands a delta to every node subscribed to its room, the origin excepted. */
    private void announce(MemoryCluster origin, PresenceStore.Delta delta) {
        for (MemoryCluster node : nodes) {
            if (node != origin && node.subscribed(delta.app(), delta.room())) {
                node.receive(delta);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Peers
    // ---------------------------------------------------------------------------------------------------------

    synchronized void register(MemoryCluster node, String app, String peerId) {
        peers.computeIfAbsent(key(app, peerId), k -> new HashMap<>()).merge(node.nodeId(), 1, Integer::sum);
    }

    synchronized void unregister(MemoryCluster node, String app, String peerId) {
        Map<String, Integer> holders = peers.get(key(app, peerId));
        if (holders != null && holders.computeIfPresent(node.nodeId(), (n, c) -> c > 1 ? c - 1 : null) == null
                && holders.isEmpty()) {
            peers.remove(key(app, peerId));
        }
    }

    /** The other nodes holding {@code peerId}. */
    synchronized List<MemoryCluster> holders(MemoryCluster asking, String app, String peerId) {
        Map<String, Integer> holders = peers.get(key(app, peerId));
        List<MemoryCluster> found = new ArrayList<>();
        if (holders != null) {
            for (MemoryCluster node : nodes) {
                if (node != asking && holders.containsKey(node.nodeId())) {
                    found.add(node);
                }
            }
        }
        return found;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Counters
    // ---------------------------------------------------------------------------------------------------------

    private static final class App {
        final Map<String, Integer> connections = new HashMap<>();
        int peak;
        long opened;
        long periodStart;
        long messages;

        int total() {
            int sum = 0;
            for (int count : connections.values()) {
                sum += count;
            }
            return sum;
        }
    }

    synchronized boolean tryAcquire(MemoryCluster node, String app, int cap) {
        App state = apps.computeIfAbsent(app, a -> new App());
        int total = state.total();
        if (total >= cap) {
            return false;
        }
        state.connections.merge(node.nodeId(), 1, Integer::sum);
        state.peak = Math.max(state.peak, total + 1);
        return true;
    }

    synchronized void release(MemoryCluster node, String app) {
        App state = apps.get(app);
        if (state != null) {
            state.connections.computeIfPresent(node.nodeId(), (n, c) -> c > 1 ? c - 1 : null);
        }
    }

    synchronized ClusterCounters.Totals report(MemoryCluster node, String app, long periodStart, int connections,
                                               long opened, long messages) {
        App state = apps.computeIfAbsent(app, a -> new App());
        if (connections > 0) {
            state.connections.put(node.nodeId(), connections);
        } else {
            state.connections.remove(node.nodeId());
        }
        state.peak = Math.max(state.peak, state.total());
        state.opened += opened;
        if (periodStart > state.periodStart) {
            state.periodStart = periodStart;
            state.messages = 0;
        }
        if (periodStart == state.periodStart) {
            state.messages += messages;
        }
        return new ClusterCounters.Totals(state.total(), state.peak, state.opened, state.messages);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Streams
    // ---------------------------------------------------------------------------------------------------------

    /** One channel's stream: the newest entries, oldest first. */
    private static final class Log {
        final String epoch = Long.toString(RANDOM.nextLong() >>> 16, 36);
        final ArrayDeque<Streams.Entry> entries = new ArrayDeque<>();
        long lastOffset;
        /** The TTL of the last append (none before the first). */
        long ttlMillis = Long.MAX_VALUE / 2;

        void expire(long ttlMillis, long nowMillis) {
            while (!entries.isEmpty() && entries.getFirst().atMillis() <= nowMillis - ttlMillis) {
                entries.removeFirst();
            }
        }

        long firstOffset() {
            return entries.isEmpty() ? lastOffset + 1 : entries.getFirst().offset();
        }
    }

    /**
     * Appends {@code publication} to its channel's stream and hands it, with its position, to every node
     * subscribed to the channel (through {@code deliver}, on the node's inbound thread), {@code origin} included:
     * under this lock, so every node gets a channel's messages in offset order.
     */
    synchronized Publication append(Publication publication, int size, long ttlMillis,
                                    java.util.function.BiConsumer<MemoryCluster, Publication> deliver) {
        long now = System.currentTimeMillis();
        Log log = logs.computeIfAbsent(key(publication.app(), publication.channel()), k -> new Log());
        Publication positioned = publication.at(++log.lastOffset, log.epoch);
        RawJson metadata = publication.fromMetadata();
        log.entries.addLast(new Streams.Entry(positioned.offset(), now, publication.from(), copy(publication.data()),
                metadata == null ? null : copy(metadata)));
        while (log.entries.size() > size) {
            log.entries.removeFirst();
        }
        log.ttlMillis = ttlMillis;
        log.expire(ttlMillis, now);
        for (MemoryCluster node : nodes) {
            if (node.wants(publication.app(), publication.channel())) {
                deliver.accept(node, positioned);
            }
        }
        return positioned;
    }

    synchronized Streams.Range read(String app, String channel, String epoch, Long after, int limit) {
        Log log = logs.computeIfAbsent(key(app, channel), k -> new Log());
        log.expire(log.ttlMillis, System.currentTimeMillis());
        List<Streams.Entry> found = new ArrayList<>();
        if (after == null) {
            found.addAll(log.entries);
            found = found.subList(Math.max(0, found.size() - limit), found.size());
        } else {
            long from = epoch != null && !epoch.equals(log.epoch) ? 0 : after;
            for (Streams.Entry entry : log.entries) {
                if (entry.offset() > from && found.size() < limit) {
                    found.add(entry);
                }
            }
        }
        return new Streams.Range(log.epoch, log.lastOffset, log.firstOffset(), List.copyOf(found));
    }

    synchronized void keepCursor(String app, String peerId, String channel, Streams.Cursor cursor) {
        cursors.computeIfAbsent(app, a -> new Cursors()).put(peerId, channel, cursor);
    }

    synchronized Streams.Cursor claimCursor(String app, String peerId, String channel, String epoch, long now) {
        Cursors kept = cursors.get(app);
        return kept == null ? null : kept.claim(peerId, channel, epoch, now);
    }

    private static RawJson copy(RawJson json) {
        return RawJson.wrap(json.toByteArray());
    }

    // ---------------------------------------------------------------------------------------------------------
    // Leaving
    // ---------------------------------------------------------------------------------------------------------

    /** Removes every entry of {@code node}, announcing its members' departures, and takes it off the bus. */
    synchronized void leave(MemoryCluster node) {
        nodes.remove(node);
        for (Map.Entry<String, Room> entry : rooms.entrySet()) {
            String[] appRoom = entry.getKey().split("\0", 2);
            Room state = entry.getValue();
            state.members.values().removeIf(member -> {
                if (member.node().equals(node.nodeId())) {
                    announce(node, new PresenceStore.Delta(appRoom[0], appRoom[1], ++state.version, member, false));
                    return true;
                }
                return false;
            });
        }
        for (Map<String, Integer> holders : peers.values()) {
            holders.remove(node.nodeId());
        }
        peers.values().removeIf(Map::isEmpty);
        for (App state : apps.values()) {
            state.connections.remove(node.nodeId());
        }
    }

    static String key(String a, String b) {
        return a + '\0' + b;
    }

    /** A future already done, for the calls that complete at once. */
    static <T> CompletableFuture<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }
}
