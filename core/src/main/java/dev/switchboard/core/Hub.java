package dev.switchboard.core;

import dev.switchboard.protocol.ServerFrames.PresencePeer;
import dev.switchboard.protocol.RawJson;
import dev.switchboard.protocol.ServerFrames;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The indexes of one app: subscription string → {@link Room}, the pattern rooms among them (for routing), and
 * peerId → open sessions (for {@code send} and kicks). Apps never share a hub, which is what isolates them.
 *
 * <p>Locking (docs/locks.md): a room's lock is the only lock taken here. The rare publish that reaches pattern
 * rooms takes several room locks, always in ascending room-name order. The peer index is a lock-free map of
 * copy-on-write arrays.
 */
final class Hub {
    private static final Session[] NO_SESSIONS = new Session[0];
    private static final Comparator<Room> LOCK_ORDER = Comparator.comparing(room -> room.name);

    private final ConcurrentHashMap<String, Room> rooms = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Room> patternRooms = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Session[]> peers = new ConcurrentHashMap<>();
    /** Presence memberships (room, peerId) of all rooms, for metrics. */
    private final LongAdder presenceMembers = new LongAdder();
    /** Set when the node drains: connections are leaving because of the shutdown, not because peers left. */
    private volatile boolean silenced;

    // ---------------------------------------------------------------------------------------------------------
    // Subscriptions and presence
    // ---------------------------------------------------------------------------------------------------------

    /**
     * Subscribes {@code session} to {@code name} (new or repeated; the latest flag wins) as one critical section
     * (protocol.md §4.1, §7.4): record the subscription, announce a new membership to the other presence
     * receivers, enqueue {@code ack} (may be null), then enqueue the snapshot if the session receives presence.
     * Returns true if this was a new subscription of the session.
     */
    boolean subscribe(Session session, String name, boolean includeSenderMetadata, byte[] ack) {
        for (;;) {
            Room room = rooms.computeIfAbsent(name, Room::new);
            room.lock.lock();
            try {
                if (room.dead) {
                    continue;
                }
                if (room.isPattern() && room.subscribers.isEmpty()) {
                    patternRooms.put(name, room);
                }
                boolean added = room.subscribers.put(session, includeSenderMetadata) == null;
                if (added) {
                    PresencePeer joined = room.presence.join(session.peerId(), session.peerMetadata());
                    if (joined != null) {
                        presenceMembers.increment();
                        announce(room, session, ServerFrames.presence(name, List.of(joined), List.of()));
                    }
                }
                if (ack != null) {
                    session.deliver(ack);
                }
                if (session.receivesPresence()) {
                    session.deliver(room.presence.snapshotFor(session.peerId()));
                }
                return added;
            } finally {
                room.lock.unlock();
            }
        }
    }

    /**
     * Removes the subscription if present and announces {@code left} if it was the peer's last connection in the
     * room. Once this returns, no further message of the room is enqueued for {@code session}.
     */
    void unsubscribe(Session session, String name) {
        Room room = rooms.get(name);
        if (room == null) {
            return;
        }
        room.lock.lock();
        try {
            if (room.dead || room.subscribers.remove(session) == null) {
                return;
            }
            PresencePeer left = room.presence.leave(session.peerId());
            if (left != null) {
                presenceMembers.decrement();
                announce(room, session, ServerFrames.presence(name, List.of(), List.of(left)));
            }
            if (room.subscribers.isEmpty()) {
                room.dead = true;
                rooms.remove(name, room);
                if (room.isPattern()) {
                    patternRooms.remove(name, room);
                }
            }
        } finally {
            room.lock.unlock();
        }
    }

    /**
     * Stops presence deltas for good (graceful drain, protocol.md §12): after {@code going_away} nothing but the
     * 1001 close may reach a connection, and members closed by the shutdown have not left — the SDK reconnects
     * them and reconciles against the next snapshot.
     */
    void silence() {
        silenced = true;
    }

    /** Enqueues a presence delta to every presence receiver of the room except {@code cause}. Room lock held. */
    private void announce(Room room, Session cause, byte[] delta) {
        if (silenced) {
            return;
        }
        for (Session other : room.subscribers.keySet()) {
            if (other != cause && other.receivesPresence()) {
                other.deliver(delta);
            }
        }
    }

    /** The members of the exact subscription string {@code name}, one entry per peerId, in join order. */
    List<PresencePeer> members(String name) {
        Room room = rooms.get(name);
        if (room == null) {
            return List.of();
        }
        room.lock.lock();
        try {
            return room.dead ? List.of() : room.presence.snapshotExcept(null);
        } finally {
            room.lock.unlock();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Publish
    // ---------------------------------------------------------------------------------------------------------

    /**
     * Enqueues {@code message} for every connection subscribed to {@code channel} exactly or through a matching
     * pattern room that also authorises {@code channel} (protocol.md §6.4), except {@code sender} (null for a
     * REST publish). A connection matching several subscriptions receives the message once, with
     * {@code fromMetadata} if any of them asked for it. Returns the broadcast as handed out: how many
     * connections got it, and whether one of them is behind.
     */
    Fanout publish(Session sender, String channel, String from, RawJson data, RawJson fromMetadata) {
        Fanout fanout = new Fanout(channel, from, data, fromMetadata);
        List<Room> matching = matchingPatternRooms(channel);
        if (matching.isEmpty()) {
            Room room = rooms.get(channel);
            if (room == null) {
                return fanout;
            }
            room.lock.lock();
            try {
                if (!room.dead) {
                    for (Map.Entry<Session, Boolean> subscriber : room.subscribers.entrySet()) {
                        if (subscriber.getKey() != sender) {
                            fanout.deliver(subscriber.getKey(), subscriber.getValue());
                        }
                    }
                }
            } finally {
                room.lock.unlock();
            }
            return fanout;
        }
        return publishAcrossRooms(sender, channel, matching, fanout);
    }

    private List<Room> matchingPatternRooms(String channel) {
        if (patternRooms.isEmpty()) {
            return List.of();
        }
        List<Room> matching = new ArrayList<>(2);
        for (Room room : patternRooms.values()) {
            if (room.glob.matches(channel) && !room.name.equals(channel)) {
                matching.add(room);
            }
        }
        return matching;
    }

    /** The slow path: the exact room plus pattern rooms, all locked in name order while enqueueing. */
    private Fanout publishAcrossRooms(Session sender, String channel, List<Room> patterns, Fanout fanout) {
        List<Room> locked = new ArrayList<>(patterns.size() + 1);
        Room exact = rooms.get(channel);
        if (exact != null) {
            locked.add(exact);
        }
        locked.addAll(patterns);
        locked.sort(LOCK_ORDER);
        for (Room room : locked) {
            room.lock.lock();
        }
        try {
            Map<Session, Boolean> recipients = new LinkedHashMap<>();
            for (Room room : locked) {
                if (room.dead) {
                    continue;
                }
                boolean pattern = room != exact;
                for (Map.Entry<Session, Boolean> subscriber : room.subscribers.entrySet()) {
                    Session session = subscriber.getKey();
                    if (session == sender || (pattern && !session.grants().allows(channel))) {
                        continue;
                    }
                    recipients.merge(session, subscriber.getValue(), Boolean::logicalOr);
                }
            }
            recipients.forEach(fanout::deliver);
        } finally {
            for (int i = locked.size() - 1; i >= 0; i--) {
                locked.get(i).lock.unlock();
            }
        }
        return fanout;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Peers
    // ---------------------------------------------------------------------------------------------------------

    void addPeer(Session session) {
        peers.compute(session.peerId(), (id, sessions) -> {
            if (sessions == null) {
                return new Session[] {session};
            }
            Session[] more = Arrays.copyOf(sessions, sessions.length + 1);
            more[sessions.length] = session;
            return more;
        });
    }

    void removePeer(Session session) {
        peers.computeIfPresent(session.peerId(), (id, sessions) -> {
            int index = -1;
            for (int i = 0; i < sessions.length; i++) {
                if (sessions[i] == session) {
                    index = i;
                    break;
                }
            }
            if (index < 0) {
                return sessions;
            }
            if (sessions.length == 1) {
                return null;
            }
            Session[] fewer = new Session[sessions.length - 1];
            System.arraycopy(sessions, 0, fewer, 0, index);
            System.arraycopy(sessions, index + 1, fewer, index, sessions.length - index - 1);
            return fewer;
        });
    }

    /** The open sessions of {@code peerId} (a snapshot; empty if none). */
    Session[] sessionsOf(String peerId) {
        Session[] sessions = peers.get(peerId);
        return sessions == null ? NO_SESSIONS : sessions;
    }

    /** The subscription strings with at least one subscriber now, sorted (a snapshot; for dashboards). */
    List<String> roomNames() {
        return rooms.keySet().stream().sorted().toList();
    }

    /** Number of rooms currently alive (for tests and metrics: empty rooms must not linger). */
    int roomCount() {
        return rooms.size();
    }

    /** Presence memberships of all rooms together: a peer in three rooms counts three times. */
    long presenceMembers() {
        return presenceMembers.sum();
    }
}
