package dev.switchboard.core;

import dev.switchboard.core.auth.ChannelRule;
import dev.switchboard.core.spi.PresenceStore;
import dev.switchboard.protocol.ServerFrames.PresencePeer;
import dev.switchboard.protocol.Glob;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Everything subscribed to one exact subscription string of one app on this node: its subscribers with their
 * {@code includeSenderMetadata} flag, and its presence members. A pattern subscription string
 * ({@code devices/*}) is a room of its own (protocol.md §6.4) with a compiled {@link Glob} for routing.
 *
 * <p>{@link #lock} is the per-channel critical section of docs/locks.md: subscribe, unsubscribe, publish
 * and presence changes of this room happen under it, and deliveries are enqueued (never written) under it.
 * A room whose last subscriber leaves is marked {@link #dead} and unlinked at once, so short-lived channels
 * do not pile up; a thread that finds a dead room looks the name up again.
 *
 * <p>In a cluster a new room is not {@link #ready} until the broker confirmed its subscription and the other
 * nodes' members are loaded; subscribes meanwhile wait in {@link #waiting} and deltas in {@link #early}. Presence
 * then counts, per peerId, this node's connections plus one per other node holding the peer ({@link #remote}).
 *
 * <p>Presence modes (docs/history.md, "Presence that scales"): a {@code batched} room keeps, beside its members,
 * the roster its subscribers were last told ({@link #announced}) and the changes since ({@link #batch}), sent as
 * one frame per interval; a {@code count} room remembers the count it last sent.
 */
final class Room {
    final String name;
    /** Non-null for pattern subscriptions. */
    final Glob glob;
    final ReentrantLock lock = new ReentrantLock();
    /** Subscriber → includeSenderMetadata. */
    final Map<Session, Boolean> subscribers = new LinkedHashMap<>();
    final Presence presence;
    final ChannelRule.PresenceRule presenceRule;
    /** Batched mode: the members as the subscribers were last told (a newcomer's snapshot); null in other modes. */
    final Presence announced;
    /** Batched mode: the changes not yet sent; null when none wait. */
    Batch batch;
    /** Batched and count modes: a flush is scheduled. */
    boolean flushScheduled;
    /** Count mode: the count last sent; -1 before the first. */
    int countSent = -1;
    boolean dead;
    boolean ready;
    /** Set when the first waiting subscribe asked the engine to make the room ready. */
    boolean loading;
    /** Subscribes that arrived before the room was ready, in arrival order. */
    List<Hub.Waiter> waiting;
    /** Deltas that arrived before the room was ready. */
    List<PresenceStore.Delta> early;
    /** This node's connections per peerId (in a cluster: a peer's first registers it in the store). */
    Map<String, Integer> local;
    /** node + '\0' + peerId of the other nodes' members. */
    Set<String> remote;
    /** The store's version the members are current at; older deltas are already in them. */
    long version;

    Room(String name, boolean ready) {
        this(name, ready, ChannelRule.PresenceRule.FULL);
    }

    Room(String name, boolean ready, ChannelRule.PresenceRule presenceRule) {
        this.name = name;
        this.presence = new Presence(name);
        this.presenceRule = presenceRule;
        this.announced = presenceRule.mode() == ChannelRule.Mode.BATCHED ? new Presence(name) : null;
        this.glob = Glob.isPattern(name) ? Glob.compile(name) : null;
        this.ready = ready;
        if (!ready) {
            this.waiting = new ArrayList<>(2);
            this.early = new ArrayList<>(0);
            this.local = new HashMap<>();
            this.remote = new HashSet<>();
        }
    }

    /**
     * Joins and leaves of a batched room since its last batch, net: a peer that joins and leaves within one
     * interval (or leaves and comes back) is in neither.
     */
    static final class Batch {
        final Map<String, PresencePeer> joined = new LinkedHashMap<>();
        final Map<String, PresencePeer> left = new LinkedHashMap<>();

        void record(PresencePeer entry, boolean join) {
            String peerId = entry.peerId();
            if (join) {
                if (left.remove(peerId) == null) {
                    joined.put(peerId, entry);
                }
            } else if (joined.remove(peerId) == null) {
                left.put(peerId, entry);
            }
        }
    }

    boolean isPattern() {
        return glob != null;
    }

    /** Whether this room takes part in a cluster (its members are shared through the store). */
    boolean shared() {
        return local != null;
    }
}
