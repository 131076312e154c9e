package dev.switchboard.core;

import dev.switchboard.core.auth.ChannelRule;
import dev.switchboard.core.spi.Clock;
import dev.switchboard.core.spi.Cluster;
import dev.switchboard.core.spi.PresenceStore;
import dev.switchboard.core.spi.Scheduler;
import dev.switchboard.protocol.ServerFrames.PresencePeer;
import dev.switchboard.protocol.RawJson;
import dev.switchboard.protocol.ServerFrames;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local indexes of one app on this node: subscription string → {@link Room}, the pattern rooms among them (for
 * routing), and peerId → open sessions (for {@code send} and kicks), and the fan-out to them. Apps never share a
 * hub, which is what isolates them.
 *
 * <p>In a cluster ({@link Cluster#shared()}) the hub also keeps the broker-facing side of its rooms in step: a
 * room's first local subscriber subscribes it at the broker and loads the other nodes' members before it is acked
 * (so nothing published elsewhere after the ack is missed), its last one unsubscribes it, a peer's first local
 * connection in a room registers it in the presence store, and the other nodes' deltas and publications come in
 * through {@link #delta} and {@link #publish}. What leaves this node is sent by {@link Relay}.
 *
 * <p>Locking (docs/locks.md): a room's lock is the only lock taken here. The rare publish that reaches pattern
 * rooms takes several room locks, always in ascending room-name order. The peer index is a lock-free map of
 * copy-on-write arrays.
 */
final class Hub {
    private static final Logger log = LoggerFactory.getLogger(Hub.class);
    private static final Session[] NO_SESSIONS = new Session[0];
    private static final Comparator<Room> LOCK_ORDER = Comparator.comparing(room -> room.name);

    private final ConcurrentHashMap<String, Room> rooms = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Room> patternRooms = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Session[]> peers = new ConcurrentHashMap<>();
    /** In a cluster: peerId → its registration with the router, counted per connection here. */
    private final ConcurrentHashMap<String, Route> routes = new ConcurrentHashMap<>();
    /** Presence memberships (room, peerId) of all rooms, for metrics. */
    private final LongAdder presenceMembers = new LongAdder();
    /** Set when the node drains: connections are leaving because of the shutdown, not because peers left. */
    private volatile boolean silenced;
    private final String app;
    private final Cluster cluster;
    /** The app's settings of a channel (its presence mode). */
    private final Function<String, ChannelRule> rules;
    /** Runs the flushes of batched and count rooms. */
    private final Scheduler scheduler;
    /** The app's streams on this node (on a cluster, its copies of the cluster's). */
    private final History history;
    private final Clock clock;

    Hub(String app, Cluster cluster, Function<String, ChannelRule> rules, Scheduler scheduler, History history,
        Clock clock) {
        this.app = app;
        this.cluster = cluster;
        this.rules = rules;
        this.scheduler = scheduler;
        this.history = history;
        this.clock = clock;
    }

    /** A subscribe waiting for its room to be ready; {@code resume} is null on a channel without history. */
    record Waiter(Session session, boolean includeSenderMetadata, byte[] ack, Resume resume) {
    }

    /**
     * What a subscribe to a channel with history joins with, worked out when it joins, under the channel's stream
     * lock: its ack (with the stream's position) and the messages to replay after the snapshot. The stream is null
     * in the rare case the channel lost its history in a reload while the subscribe waited: a plain ack then.
     */
    interface Resume {
        Resumed at(History.Stream stream);
    }

    record Resumed(byte[] ack, List<Outbox.StreamMessage> replay) {
    }

    // ---------------------------------------------------------------------------------------------------------
    // Subscriptions and presence
    // ---------------------------------------------------------------------------------------------------------

    /**
     * Subscribes {@code session} to {@code name} (new or repeated; the latest flag wins) as one critical section
     * (protocol.md §4.1, §7.4): record the subscription, announce a new membership to the other presence
     * receivers, enqueue {@code ack} (may be null), then enqueue the snapshot if the session receives presence.
     * Returns false if the room is not ready yet (a cluster's first subscriber of it on this node): the rest then
     * happens when it is, and the session hears of it through {@link Session#subscribed}.
     */
    boolean subscribe(Session session, String name, boolean includeSenderMetadata, byte[] ack) {
        for (;;) {
            Room room = roomFor(name);
            boolean load;
            room.lock.lock();
            try {
                if (room.dead) {
                    continue;
                }
                if (room.ready) {
                    join(room, session, includeSenderMetadata, ack, List.of());
                    return true;
                }
                load = await(room, new Waiter(session, includeSenderMetadata, ack, null));
            } finally {
                room.lock.unlock();
            }
            if (load) { // outside the lock: an engine may answer at once, and the answer takes the lock
                load(room);
            }
            return false;
        }
    }

    /**
     * As {@link #subscribe(Session, String, boolean, byte[])} on a channel with history (docs/history.md): joins
     * under the channel's stream lock, taken before the room's, with the ack and the replay {@code resume} works
     * out there, so no publish comes between the replay and the live messages. On a cluster a room that is not
     * ready yet has its copy of the stream loaded from the store first, and works them out then.
     */
    boolean subscribe(Session session, String name, boolean includeSenderMetadata, ChannelRule.History rule,
                      Resume resume) {
        for (;;) {
            Room room = roomFor(name);
            History.Stream stream = room.ready ? lockStream(name, rule) : null;
            boolean load = false;
            room.lock.lock();
            try {
                if (room.dead || (room.ready && stream == null)) {
                    continue; // gone, or became ready (its stream loaded) after the look above: take it now
                }
                if (room.ready) {
                    Resumed resumed = resume.at(stream);
                    join(room, session, includeSenderMetadata, resumed.ack(), resumed.replay());
                    return true;
                }
                load = await(room, new Waiter(session, includeSenderMetadata, null, resume));
            } finally {
                room.lock.unlock();
                if (stream != null) {
                    stream.lock.unlock();
                }
            }
            if (load) {
                load(room);
            }
            return false;
        }
    }

    /**
     * The stream of a channel with history, its lock held: on a cluster this node's copy, loaded when the room got
     * ready (one is started if the room had none then: the store was cut off, or the rule is new since a reload).
     */
    private History.Stream lockStream(String name, ChannelRule.History rule) {
        History.Stream stream = cluster.shared() ? history.lockExisting(name) : null;
        return stream != null ? stream : history.lock(name, rule, clock.currentTimeMillis());
    }

    private Room roomFor(String name) {
        Room room = rooms.get(name);
        if (room == null) {
            Room created = new Room(name, !cluster.shared(), rules.apply(name).presence());
            room = rooms.putIfAbsent(name, created);
            if (room == null) {
                room = created;
            }
        }
        return room;
    }

    /** Queues {@code waiter} until the room is ready; true if the caller is to make it ready. Room lock held. */
    private static boolean await(Room room, Waiter waiter) {
        room.waiting.add(waiter);
        boolean load = !room.loading;
        room.loading = true;
        return load;
    }

    /** The subscribe step itself, on a ready room. Room lock held. */
    private void join(Room room, Session session, boolean includeSenderMetadata, byte[] ack,
                      List<Outbox.StreamMessage> replay) {
        if (room.isPattern() && room.subscribers.isEmpty()) {
            patternRooms.put(room.name, room);
        }
        if (room.subscribers.put(session, includeSenderMetadata) == null) {
            if (room.shared() && room.local.merge(session.peerId(), 1, Integer::sum) == 1) {
                cluster.presence().add(app, room.name, session.peerId(), session.peerMetadata());
            }
            PresencePeer joined = room.presence.join(session.peerId(), session.peerMetadata());
            if (joined != null) {
                presenceMembers.increment();
                changed(room, session, joined, true, true);
            }
        }
        if (ack != null) {
            session.deliver(ack);
        }
        if (hears(room, session)) {
            session.deliver(switch (room.presenceRule.mode()) {
                case FULL -> room.presence.snapshotFor(session.peerId());
                case BATCHED -> room.announced.snapshotFor(session.peerId());
                case COUNT -> {
                    byte[] count = ServerFrames.presenceCount(room.name, room.presence.size());
                    yield new Presence.Snapshot(new Object[] {count}, count.length);
                }
            });
        }
        for (Outbox.StreamMessage message : replay) {
            session.deliver(message);
        }
    }

    /**
     * Makes a new room of a cluster ready: subscribed at the broker, then the other nodes' members listed (and, on
     * a channel with history, the stream read from the store). Runs the waiting subscribes once all is done. If the
     * broker cannot confirm (cut off from the others), the room serves this node's traffic at once and catches up
     * when the store asks to {@link #resynchronize}.
     */
    private void load(Room room) {
        ChannelRule.History rule = room.isPattern() ? null : rules.apply(room.name).history();
        cluster.broker().subscribe(app, room.name)
                .thenCompose(subscribed -> {
                    CompletionStage<PresenceStore.Members> members = cluster.presence().list(app, room.name);
                    if (rule == null) {
                        return members.thenApply(listed -> new Loaded(listed, null));
                    }
                    return members.thenCombine(cluster.streams().read(app, room.name, null, null, rule.size()),
                            Loaded::new);
                })
                .whenComplete((loaded, failure) -> {
                    if (failure != null) {
                        log.atWarn().setMessage("room_subscribe_failed").addKeyValue("app", app)
                                .addKeyValue("room", room.name).addKeyValue("reason", String.valueOf(failure)).log();
                    }
                    ready(room, failure == null ? loaded : new Loaded(PresenceStore.Members.NONE, null), rule);
                });
    }

    /** What a room's load found: the other nodes' members, and its stream if the channel has history. */
    private record Loaded(PresenceStore.Members members, dev.switchboard.core.spi.Streams.Range range) {
    }

    private void ready(Room room, Loaded loaded, ChannelRule.History rule) {
        List<Waiter> waiting;
        History.Stream stream = null;
        if (rule != null) { // the stream lock first (docs/locks.md); a store cut off lends its copy no epoch
            long now = clock.currentTimeMillis();
            if (loaded.range() != null && loaded.range().epoch() != null) {
                stream = history.lockCopy(room.name, rule, loaded.range().epoch(), now);
                stream.load(loaded.range(), now);
            } else {
                stream = lockStream(room.name, rule);
            }
        }
        room.lock.lock();
        try {
            if (room.dead) {
                return;
            }
            PresenceStore.Members members = loaded.members();
            for (PresenceStore.Member member : members.members()) {
                applyRemote(room, member, true, false);
            }
            room.version = members.version();
            for (PresenceStore.Delta delta : room.early) {
                if (delta.version() > room.version) {
                    applyRemote(room, delta.member(), delta.joined(), false);
                    room.version = delta.version();
                }
            }
            room.early = null;
            room.ready = true;
            waiting = room.waiting;
            room.waiting = null;
            for (Waiter waiter : waiting) {
                if (waiter.session().isClosing()) {
                    continue;
                }
                if (waiter.resume() == null) {
                    join(room, waiter.session(), waiter.includeSenderMetadata(), waiter.ack(), List.of());
                } else { // stream is null if the rule lost its history in a reload meanwhile
                    Resumed resumed = waiter.resume().at(stream);
                    join(room, waiter.session(), waiter.includeSenderMetadata(), resumed.ack(), resumed.replay());
                }
            }
            if (room.subscribers.isEmpty()) {
                unlink(room);
            }
        } finally {
            room.lock.unlock();
            if (stream != null) {
                stream.lock.unlock();
            }
        }
        for (Waiter waiter : waiting) {
            waiter.session().subscribed();
        }
    }

    /**
     * Another node's membership {@code member} joined or left; announces the change to this node's presence
     * receivers if it changes the room's members as clients see them ({@code announce}). Room lock held.
     */
    private void applyRemote(Room room, PresenceStore.Member member, boolean joined, boolean announce) {
        String key = member.node() + '\0' + member.peerId();
        if (joined) {
            if (room.remote.add(key)) {
                PresencePeer entry = room.presence.join(member.peerId(), member.metadata());
                if (entry != null) {
                    presenceMembers.increment();
                    changed(room, null, entry, true, announce);
                }
            }
        } else if (room.remote.remove(key)) {
            PresencePeer entry = room.presence.leave(member.peerId());
            if (entry != null) {
                presenceMembers.decrement();
                changed(room, null, entry, false, announce);
            }
        }
    }

    /** A change another node made to room {@code delta.room()}; ignored unless this node has the room. */
    void delta(PresenceStore.Delta delta) {
        Room room = rooms.get(delta.room());
        if (room == null || !room.shared() || delta.member().node().equals(cluster.nodeId())) {
            return;
        }
        room.lock.lock();
        try {
            if (room.dead) {
                return;
            }
            if (!room.ready) {
                room.early.add(delta);
            } else if (delta.version() > room.version) {
                applyRemote(room, delta.member(), delta.joined(), true);
                room.version = delta.version();
            }
        } finally {
            room.lock.unlock();
        }
    }

    /**
     * Registers this node's entries again after the link to the store broke (the store may have lost them): one
     * presence entry per peer and room, and every peer with the router. Adding an entry that is there is a no-op.
     */
    void register() {
        for (Room room : rooms.values()) {
            room.lock.lock();
            try {
                if (room.dead || !room.shared()) {
                    continue;
                }
                Set<String> registered = new HashSet<>();
                for (Session session : room.subscribers.keySet()) {
                    if (registered.add(session.peerId())) { // once per peer, with one of its connections' metadata
                        cluster.presence().add(app, room.name, session.peerId(), session.peerMetadata());
                    }
                }
            } finally {
                room.lock.unlock();
            }
        }
        for (String peerId : routes.keySet()) {
            cluster.peers().register(app, peerId);
        }
    }

    /**
     * Replaces what deltas taught about the other nodes' members of every room by a fresh listing, announcing
     * the difference (after {@link #register}, once the other nodes had time to register again).
     */
    void resynchronize() {
        for (Room room : rooms.values()) {
            if (room.shared()) {
                cluster.presence().list(app, room.name).whenComplete((members, failure) -> {
                    if (failure == null) {
                        reconcile(room, members);
                    }
                });
            }
        }
    }

    /** Replaces the other nodes' members of {@code room} by {@code members}, announcing the difference. */
    private void reconcile(Room room, PresenceStore.Members members) {
        room.lock.lock();
        try {
            if (room.dead || !room.ready) {
                return;
            }
            Set<String> listed = new HashSet<>();
            for (PresenceStore.Member member : members.members()) {
                listed.add(member.node() + '\0' + member.peerId());
                applyRemote(room, member, true, true);
            }
            for (String key : List.copyOf(room.remote)) {
                if (!listed.contains(key)) {
                    String[] nodePeer = key.split("\0", 2);
                    applyRemote(room, new PresenceStore.Member(nodePeer[0], nodePeer[1], null), false, true);
                }
            }
            room.version = members.version(); // a store that restarted empty counts versions anew
        } finally {
            room.lock.unlock();
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
            if (room.dead) {
                return;
            }
            if (!room.ready) {
                room.waiting.removeIf(waiter -> waiter.session() == session);
                return;
            }
            if (room.subscribers.remove(session) == null) {
                return;
            }
            if (room.shared() && room.local.merge(session.peerId(), -1, Integer::sum) == 0) {
                room.local.remove(session.peerId());
                cluster.presence().remove(app, name, session.peerId());
            }
            PresencePeer left = room.presence.leave(session.peerId());
            if (left != null) {
                presenceMembers.decrement();
                changed(room, session, left, false, true);
            }
            if (room.subscribers.isEmpty()) {
                unlink(room);
            }
        } finally {
            room.lock.unlock();
        }
    }

    /**
     * Unlinks a room without subscribers; in a cluster also unsubscribes it at the broker, before it is unlinked,
     * so a new room of the same name subscribes after it. Room lock held.
     */
    private void unlink(Room room) {
        room.dead = true;
        if (room.shared()) {
            cluster.broker().unsubscribe(app, room.name);
            presenceMembers.add(-room.presence.size());
        }
        rooms.remove(room.name, room);
        if (room.isPattern()) {
            patternRooms.remove(room.name, room);
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

    /**
     * Member {@code entry} joined or left the room (its presence already changed): tells the room's presence
     * receivers, except {@code cause}, as the room's presence mode says — at once ({@code full}, and
     * {@code batched} below its threshold), in the next batch ({@code batched}), or in the next count
     * ({@code count}). With {@code announce} false (members loaded before anyone listens) only the batched roster
     * follows. Room lock held.
     */
    private void changed(Room room, Session cause, PresencePeer entry, boolean joined, boolean announce) {
        ChannelRule.PresenceRule rule = room.presenceRule;
        switch (rule.mode()) {
            case FULL -> {
                if (announce) {
                    announce(room, cause, delta(room, entry, joined));
                }
            }
            case COUNT -> {
                if (announce) {
                    scheduleFlush(room);
                }
            }
            case BATCHED -> {
                if (!announce || (room.batch == null && room.presence.size() < rule.threshold())) {
                    if (joined) {
                        room.announced.join(entry.peerId(), entry.metadata());
                    } else {
                        room.announced.leave(entry.peerId());
                    }
                    if (announce) {
                        announce(room, cause, delta(room, entry, joined));
                    }
                    return;
                }
                if (room.batch == null) {
                    room.batch = new Room.Batch();
                    scheduleFlush(room);
                }
                room.batch.record(entry, joined);
            }
        }
    }

    private static byte[] delta(Room room, PresencePeer entry, boolean joined) {
        return joined ? ServerFrames.presence(room.name, List.of(entry), List.of())
                : ServerFrames.presence(room.name, List.of(), List.of(entry));
    }

    /** Schedules the room's next batch or count, unless one is scheduled. Room lock held. */
    private void scheduleFlush(Room room) {
        if (!room.flushScheduled && scheduler != null) {
            room.flushScheduled = true;
            scheduler.schedule(() -> flush(room), room.presenceRule.interval().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Sends a batched room's changes since the last batch, as one frame (or, past the SDK's frame cap, several)
     * to every presence receiver — a newcomer's own entry left out of its copy — and makes them the roster
     * newcomers are shown; or a count room's member count, if it changed since the last.
     */
    private void flush(Room room) {
        room.lock.lock();
        try {
            room.flushScheduled = false;
            if (room.dead) {
                return;
            }
            if (room.presenceRule.mode() == ChannelRule.Mode.COUNT) {
                int count = room.presence.size();
                if (count != room.countSent) {
                    room.countSent = count;
                    announce(room, null, ServerFrames.presenceCount(room.name, count));
                }
                return;
            }
            Room.Batch batch = room.batch;
            room.batch = null;
            if (batch == null || (batch.joined.isEmpty() && batch.left.isEmpty())) {
                return;
            }
            for (PresencePeer left : batch.left.values()) {
                room.announced.leave(left.peerId());
            }
            for (PresencePeer joined : batch.joined.values()) {
                room.announced.join(joined.peerId(), joined.metadata());
            }
            if (silenced) {
                return;
            }
            List<Presence.Delta> deltas = Presence.deltaFrames(room.name, List.copyOf(batch.joined.values()),
                    List.copyOf(batch.left.values()));
            Object[] shared = deltas.stream().map(delta -> delta.frame).toArray();
            for (Session session : room.subscribers.keySet()) {
                if (!hears(room, session)) {
                    continue;
                }
                if (!batch.joined.containsKey(session.peerId())) {
                    session.deliverShared(shared);
                    continue;
                }
                List<Object> own = new ArrayList<>(deltas.size()); // a newcomer: its own entry cut out
                for (Presence.Delta delta : deltas) {
                    Object frame = delta.frameFor(session.peerId());
                    if (frame != null) {
                        own.add(frame);
                    }
                }
                if (!own.isEmpty()) {
                    session.deliverShared(own.toArray());
                }
            }
        } finally {
            room.lock.unlock();
        }
    }

    /** Whether {@code session} gets the room's presence frames: it has the action and is in the audience. */
    private static boolean hears(Room room, Session session) {
        return session.receivesPresence()
                && (!room.presenceRule.hasAudience() || session.inAudience(room.presenceRule));
    }

    /** Enqueues a presence frame to every presence receiver of the room except {@code cause}. Room lock held. */
    private void announce(Room room, Session cause, byte[] frame) {
        if (silenced) {
            return;
        }
        for (Session other : room.subscribers.keySet()) {
            if (other != cause && hears(room, other)) {
                other.deliver(frame);
            }
        }
    }

    /**
     * The members of {@code name} with a connection on this node, in join order, with the metadata they joined
     * with (in a cluster; on a node of its own, {@link #members}).
     */
    List<PresencePeer> localMembers(String name) {
        Room room = rooms.get(name);
        if (room == null) {
            return List.of();
        }
        room.lock.lock();
        try {
            if (room.dead || !room.ready || !room.shared()) {
                return List.of();
            }
            List<PresencePeer> local = new ArrayList<>(room.local.size());
            for (PresencePeer member : room.presence.snapshotExcept(null)) {
                if (room.local.containsKey(member.peerId())) {
                    local.add(member);
                }
            }
            return local;
        } finally {
            room.lock.unlock();
        }
    }

    /**
     * The members of the exact subscription string {@code name}, one entry per peerId, in join order (in a cluster,
     * every node's); null if this node has no such room ready.
     */
    List<PresencePeer> members(String name) {
        Room room = rooms.get(name);
        if (room == null) {
            return null;
        }
        room.lock.lock();
        try {
            return room.dead || !room.ready ? null : room.presence.snapshotExcept(null);
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
        return publish(sender, channel, new Fanout(channel, from, data, fromMetadata));
    }

    /** As {@link #publish(Session, String, String, RawJson, RawJson)}, for a broadcast already prepared. */
    Fanout publish(Session sender, String channel, Fanout fanout) {
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

    /** Whether a publication to {@code channel} reaches a room here (so the broker brings this node a copy). */
    boolean reaches(String channel) {
        return rooms.containsKey(channel) || !matchingPatternRooms(channel).isEmpty();
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

    /** A peer's connections admitted or being admitted here, and its registration with the router. */
    private static final class Route {
        int connections;
        CompletionStage<Void> registered;
    }

    /**
     * In a cluster, counts one more connection of {@code peerId} on this node before it is admitted; the first
     * registers the peer with the router. Completes when other nodes' sends reach this node (so the peer may be
     * welcomed). Registrations and removals of one peer keep their order (the map's per-key step).
     */
    CompletionStage<Void> reservePeer(String peerId) {
        return routes.compute(peerId, (id, route) -> {
            if (route == null) {
                route = new Route();
                route.registered = cluster.peers().register(app, id);
            }
            route.connections++;
            return route;
        }).registered;
    }

    /** Counts one connection of {@code peerId} less; the last unregisters the peer. */
    void releasePeer(String peerId) {
        routes.computeIfPresent(peerId, (id, route) -> {
            if (--route.connections > 0) {
                return route;
            }
            cluster.peers().unregister(app, id);
            return null;
        });
    }

    /** Indexes an admitted session under its peerId. */
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

    /** Whether a connection of this node is subscribed to {@code name} (exactly). */
    boolean hasRoom(String name) {
        return rooms.containsKey(name);
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
