package dev.switchboard.redis;

import dev.switchboard.core.spi.Broker;
import dev.switchboard.core.spi.Cluster;
import dev.switchboard.core.spi.ClusterCounters;
import dev.switchboard.core.spi.PeerRouter;
import dev.switchboard.core.spi.PresenceStore;
import dev.switchboard.core.spi.Publication;
import dev.switchboard.protocol.Glob;
import dev.switchboard.protocol.RawJson;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node of a cluster on Redis: publications and presence deltas over pub/sub (one channel per room a node has
 * subscribers in, so no node receives traffic it has nobody for), the presence registry and usage counters in
 * Lua-scripted keys ({@link Scripts}), peer routes as one pub/sub channel per peer its nodes listen on, and a
 * heartbeat by which the surviving nodes remove a dead node's members.
 *
 * <p>Two connections: one for commands, whose order is the order this node publishes, changes presence and asks
 * (so a member's {@code joined} precedes its first message everywhere), and one for pub/sub, on whose thread
 * everything from other nodes arrives, in order. While Redis is unreachable, commands fail at once (they are not
 * queued): the node keeps serving its own connections, and when the link is back it subscribes again, registers
 * its members and peers again ({@link PresenceStore.Listener#reconnected}) and a little later re-lists every room
 * ({@link PresenceStore.Listener#resynchronize}).
 */
public final class RedisCluster implements Cluster, Broker, PresenceStore, PeerRouter, ClusterCounters {
    private static final Logger log = LoggerFactory.getLogger(RedisCluster.class);
    private static final byte[] NODES = Wire.bytes("sb:nodes");
    private static final byte[] VERSION = Wire.bytes("sb:version");
    private static final byte[] EPOCH = Wire.bytes("sb:epoch");
    /** How long a kick or a counted publish waits for the other nodes' answers. */
    private static final long ANSWER_TIMEOUT_MILLIS = Broker.COUNT_TIMEOUT_MILLIS;

    private final RedisSettings settings;
    private final String nodeId;
    private final RedisClient client;
    private final StatefulRedisConnection<byte[], byte[]> connection;
    private final RedisAsyncCommands<byte[], byte[]> commands;
    private final StatefulRedisPubSubConnection<byte[], byte[]> pubsub;
    private final ScheduledExecutorService timer;
    /** APP\0CHANNEL → subscribed (exact rooms and pattern rooms), to subscribe again after a reconnect. */
    private final ConcurrentHashMap<String, Boolean> rooms = new ConcurrentHashMap<>();
    /** APP\0PEER of the peers this node holds. */
    private final ConcurrentHashMap<String, Boolean> peers = new ConcurrentHashMap<>();
    /** APP\0ROOM → the peers this node has an entry of in the room's presence hash. */
    private final ConcurrentHashMap<String, Set<String>> entries = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, Tally> tallies = new ConcurrentHashMap<>();
    private final AtomicLong linkLosses = new AtomicLong();
    private final AtomicLong failedCommands = new AtomicLong();
    private volatile Broker.Inbound publications;
    private volatile PresenceStore.Listener presence;
    private volatile PeerRouter.Inbound peerInbound;
    private volatile boolean closing;
    /** Set once this node has heart-beaten: only then are there entries of ours to remove when it leaves. */
    private volatile boolean joined;
    private volatile long downSinceNanos;
    private ScheduledFuture<?> resync;
    /** Redis's data-set marker when this node last looked ({@link #establishEpoch}). */
    private volatile String epoch;
    /** The id of the last publication handed in: a publish matching several subscriptions arrives once each. */
    private long lastPublication;

    private RedisCluster(RedisSettings settings) {
        this.settings = settings;
        this.nodeId = settings.nodeId();
        this.client = RedisClient.create(RedisURI.create(settings.uri()));
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .requestQueueSize(1 << 20)
                .build());
        this.connection = client.connect(ByteArrayCodec.INSTANCE);
        this.commands = connection.async();
        this.pubsub = client.connectPubSub(ByteArrayCodec.INSTANCE);
        this.timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("redis-cluster-" + nodeId).factory());
        LinkWatch watch = new LinkWatch();
        connection.addListener(watch);
        pubsub.addListener(watch);
        pubsub.addListener(new Inbox());
    }

    /**
     * Connects to Redis and joins the cluster as {@code settings.nodeId()}; fails (after Lettuce's connect timeout)
     * if Redis is not reachable now.
     */
    public static RedisCluster connect(RedisSettings settings) {
        RedisCluster cluster = new RedisCluster(settings);
        try {
            Long alive = cluster.<Long>run(Scripts.ALIVE, ScriptOutputType.INTEGER, keys(NODES),
                    args(settings.nodeId(), Long.toString(settings.nodeTimeout().toMillis())))
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            if (alive == 1L) {
                throw new IllegalStateException("node id " + settings.nodeId() + " is in use by a live node "
                        + "(heart-beaten within " + settings.nodeTimeout().toSeconds() + " s); give each node its own "
                        + "broker.nodeId, or wait that long after the previous one stopped");
            }
            cluster.pubsub.sync().subscribe(Wire.nodeChannel(settings.nodeId()));
            cluster.epoch = cluster.establishEpoch();
            cluster.heartbeat().toCompletableFuture().get(10, TimeUnit.SECONDS);
            cluster.joined = true;
        } catch (IllegalStateException e) {
            cluster.close();
            throw e;
        } catch (Exception e) {
            cluster.close();
            throw new IllegalStateException("cannot join the cluster through Redis at "
                    + RedisSettings.redact(settings.uri()) + ": " + e.getMessage(), e);
        }
        log.atInfo().setMessage("cluster_joined").addKeyValue("node", settings.nodeId())
                .addKeyValue("redis", RedisSettings.redact(settings.uri())).log();
        return cluster;
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public boolean shared() {
        return true;
    }

    @Override
    public Broker broker() {
        return this;
    }

    @Override
    public PresenceStore presence() {
        return this;
    }

    @Override
    public PeerRouter peers() {
        return this;
    }

    @Override
    public ClusterCounters counters() {
        return this;
    }

    @Override
    public void start(Broker.Inbound publications, PresenceStore.Listener presence, PeerRouter.Inbound peers) {
        this.publications = publications;
        this.presence = presence;
        this.peerInbound = peers;
        long every = settings.heartbeat().toMillis();
        timer.scheduleWithFixedDelay(this::heartbeat, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public Link link() {
        return new Link(connected(), linkLosses.get(), failedCommands.get());
    }

    /** Whether both connections to Redis are up. */
    private boolean connected() {
        return connection.isOpen() && pubsub.isOpen();
    }

    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        timer.shutdownNow();
        try {
            if (joined && connection.isOpen()) { // leave now, not after the timeout: the others see our members go
                run(Scripts.REAP, ScriptOutputType.INTEGER, keys(NODES, VERSION), args(nodeId, "0", "1"))
                        .toCompletableFuture().get(2, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            log.atWarn().setMessage("cluster_leave_failed").addKeyValue("reason", String.valueOf(e)).log();
        }
        pubsub.close();
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Broker
    // ---------------------------------------------------------------------------------------------------------

    @Override
    public void publish(Publication publication) {
        long id = ThreadLocalRandom.current().nextLong();
        try {
            commands.publish(Wire.roomChannel(publication.app(), publication.channel()),
                    Wire.message(id, nodeId, publication)).whenComplete(this::counted);
        } catch (RuntimeException e) { // the request queue is full
            failedCommands.incrementAndGet();
        }
    }

    @Override
    public CompletionStage<Integer> publishCounted(Publication publication) {
        long id = ThreadLocalRandom.current().nextLong();
        long request = ThreadLocalRandom.current().nextLong();
        Tally tally = new Tally();
        tallies.put(request, tally);
        timer.schedule(tally::expire, ANSWER_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        commands.publish(Wire.roomChannel(publication.app(), publication.channel()),
                        Wire.countedMessage(id, nodeId, request, publication))
                .whenComplete((receivers, failure) -> {
                    counted(receivers, failure);
                    // every subscription that received it answers once (this node's own with 0)
                    tally.expect(failure != null ? 0 : receivers.intValue());
                });
        return tally.closed.whenComplete((sum, failure) -> tallies.remove(request));
    }

    @Override
    public synchronized CompletionStage<Void> subscribe(String app, String channel) {
        rooms.put(key(app, channel), Boolean.TRUE);
        return subscribeAtRedis(app, channel);
    }

    private CompletionStage<Void> subscribeAtRedis(String app, String channel) {
        CompletableFuture<Void> exact = pubsub.async().subscribe(Wire.roomChannel(app, channel)).toCompletableFuture();
        if (!Glob.isPattern(channel)) {
            return exact;
        }
        return exact.thenCombine(pubsub.async().psubscribe(Wire.roomPattern(app, Glob.compile(channel))),
                (a, b) -> null);
    }

    @Override
    public synchronized CompletionStage<Void> unsubscribe(String app, String channel) {
        if (rooms.remove(key(app, channel)) == null) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> exact = pubsub.async().unsubscribe(Wire.roomChannel(app, channel))
                .toCompletableFuture();
        if (!Glob.isPattern(channel)) {
            return exact;
        }
        return exact.thenCombine(pubsub.async().punsubscribe(Wire.roomPattern(app, Glob.compile(channel))),
                (a, b) -> null);
    }

    // ---------------------------------------------------------------------------------------------------------
    // PresenceStore
    // ---------------------------------------------------------------------------------------------------------

    @Override
    public void add(String app, String room, String peerId, RawJson metadata) {
        String appRoom = key(app, room);
        entries.computeIfAbsent(appRoom, k -> ConcurrentHashMap.newKeySet()).add(peerId);
        run(Scripts.ADD, ScriptOutputType.INTEGER,
                keys(presenceKey(appRoom), VERSION, nodeRoomsKey(), Wire.roomChannel(app, room)),
                args(nodeId, peerId, metadata == null ? "" : metadata.toString(), appRoom))
                .whenComplete(this::counted);
    }

    @Override
    public void remove(String app, String room, String peerId) {
        String appRoom = key(app, room);
        Set<String> left = entries.computeIfPresent(appRoom, (k, peers) -> {
            peers.remove(peerId);
            return peers.isEmpty() ? null : peers;
        });
        run(Scripts.REMOVE, ScriptOutputType.INTEGER,
                keys(presenceKey(appRoom), VERSION, nodeRoomsKey(), Wire.roomChannel(app, room)),
                args(nodeId, peerId, appRoom, left == null ? "1" : "0"))
                .whenComplete(this::counted);
    }

    @Override
    public CompletionStage<Members> list(String app, String room) {
        return this.<List<Object>>run(Scripts.LIST, ScriptOutputType.MULTI, keys(presenceKey(key(app, room)), VERSION),
                new byte[0][]).thenApply(reply -> members(reply));
    }

    /** The other nodes' entries of a LIST reply, in join order. */
    private Members members(List<Object> reply) {
        long version = Long.parseLong(text((byte[]) reply.get(0)));
        @SuppressWarnings("unchecked")
        List<byte[]> flat = (List<byte[]>) reply.get(1);
        record Entry(long joined, Member member) {
        }
        List<Entry> found = new ArrayList<>(flat.size() / 2);
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            String[] nodePeer = text(flat.get(i)).split("\0", 2);
            if (nodePeer.length != 2 || nodePeer[0].equals(nodeId)) {
                continue;
            }
            Wire.Fields value = Wire.split(flat.get(i + 1), 2);
            found.add(new Entry(value.number(0), new Member(nodePeer[0], nodePeer[1], value.json(1))));
        }
        found.sort(Comparator.comparingLong(Entry::joined));
        return new Members(version, found.stream().map(Entry::member).toList());
    }

    // ---------------------------------------------------------------------------------------------------------
    // PeerRouter
    // ---------------------------------------------------------------------------------------------------------

    @Override
    public synchronized CompletionStage<Void> register(String app, String peerId) {
        peers.put(key(app, peerId), Boolean.TRUE);
        return pubsub.async().subscribe(Wire.peerChannel(app, peerId));
    }

    @Override
    public synchronized void unregister(String app, String peerId) {
        if (peers.remove(key(app, peerId)) != null) {
            pubsub.async().unsubscribe(Wire.peerChannel(app, peerId));
        }
    }

    @Override
    public CompletionStage<Integer> send(String app, String peerId, byte[] frame) {
        boolean here = peers.containsKey(key(app, peerId));
        return commands.publish(Wire.peerChannel(app, peerId), Wire.direct(nodeId, frame))
                .thenApply(receivers -> (int) Math.max(0, receivers - (here ? 1 : 0)));
    }

    @Override
    public CompletionStage<Integer> kick(String app, String peerId) {
        boolean here = peers.containsKey(key(app, peerId));
        long request = ThreadLocalRandom.current().nextLong();
        Tally kick = new Tally();
        tallies.put(request, kick);
        timer.schedule(() -> kick.expire(), ANSWER_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        commands.publish(Wire.peerChannel(app, peerId), Wire.bytes("K\0" + nodeId + '\0' + request))
                .whenComplete((receivers, failure) -> kick.expect(failure != null ? 0
                        : (int) Math.max(0, receivers - (here ? 1 : 0))));
        return kick.closed.whenComplete((closed, failure) -> tallies.remove(request));
    }

    /** A kick or counted publish waiting for the answers of the nodes (or subscriptions) it reached. */
    private static final class Tally {
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private int expected = -1;
        private int answers;
        private int sum;

        synchronized void expect(int nodes) {
            expected = nodes;
            settleIfDone();
        }

        synchronized void answer(int count) {
            answers++;
            sum += count;
            settleIfDone();
        }

        synchronized void expire() {
            closed.complete(sum);
        }

        private void settleIfDone() {
            if (expected >= 0 && answers >= expected) {
                closed.complete(sum);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // ClusterCounters
    // ---------------------------------------------------------------------------------------------------------

    @Override
    public CompletionStage<Boolean> tryAcquire(String app, int cap) {
        return this.<Long>run(Scripts.ACQUIRE, ScriptOutputType.INTEGER,
                keys(Wire.bytes("sb:conn:" + app), Wire.bytes("sb:peak:" + app), Wire.bytes("sb:na:" + nodeId)),
                args(nodeId, Integer.toString(cap), app)).thenApply(taken -> taken == 1L);
    }

    @Override
    public void release(String app) {
        run(Scripts.RELEASE, ScriptOutputType.INTEGER, keys(Wire.bytes("sb:conn:" + app)), args(nodeId))
                .whenComplete(this::counted);
    }

    @Override
    public CompletionStage<Totals> report(String app, long periodStartMillis, int connections, long opened,
                                          long messages) {
        return this.<List<Long>>run(Scripts.REPORT, ScriptOutputType.MULTI,
                keys(Wire.bytes("sb:conn:" + app), Wire.bytes("sb:peak:" + app), Wire.bytes("sb:opened:" + app),
                        Wire.bytes("sb:msg:" + app), Wire.bytes("sb:na:" + nodeId)),
                args(nodeId, Integer.toString(connections), Long.toString(opened), Long.toString(messages),
                        Long.toString(periodStartMillis), app))
                .thenApply(t -> new Totals(t.get(0).intValue(), t.get(1).intValue(), t.get(2), t.get(3)));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Heartbeat, failure and recovery
    // ---------------------------------------------------------------------------------------------------------

    /** Records this node as alive and removes the entries of nodes that have been silent too long. */
    private CompletionStage<Void> heartbeat() {
        long timeout = settings.nodeTimeout().toMillis();
        return this.<List<byte[]>>run(Scripts.HEARTBEAT, ScriptOutputType.MULTI, keys(NODES),
                args(nodeId, Long.toString(timeout))).thenAccept(stale -> {
            for (byte[] node : stale) {
                String dead = text(node);
                if (!dead.equals(nodeId)) {
                    run(Scripts.REAP, ScriptOutputType.INTEGER, keys(NODES, VERSION),
                            args(dead, Long.toString(timeout), "0")).thenAccept(removed -> {
                        if ((Long) removed >= 0) {
                            log.atWarn().setMessage("cluster_node_removed").addKeyValue("node", dead)
                                    .addKeyValue("members", removed).log();
                        }
                    });
                }
            }
        }).exceptionally(failure -> null);
    }

    /** Notices the link to Redis break and come back, and brings the node in step again afterwards. */
    private final class LinkWatch implements RedisConnectionStateListener {
        @Override
        public void onRedisDisconnected(RedisChannelHandler<?, ?> channel) {
            if (closing) {
                return;
            }
            synchronized (RedisCluster.this) {
                if (downSinceNanos == 0) {
                    downSinceNanos = System.nanoTime();
                    linkLosses.incrementAndGet();
                    log.atWarn().setMessage("cluster_link_lost")
                            .addKeyValue("redis", RedisSettings.redact(settings.uri())).log();
                }
            }
        }

        @Override
        public void onRedisConnected(RedisChannelHandler<?, ?> channel, SocketAddress address) {
            synchronized (RedisCluster.this) {
                if (downSinceNanos == 0 || closing || !connected()) {
                    return;
                }
                long gapMillis = (System.nanoTime() - downSinceNanos) / 1_000_000;
                downSinceNanos = 0;
                log.atWarn().setMessage("cluster_link_restored").addKeyValue("gap_ms", gapMillis).log();
                if (resync != null) {
                    resync.cancel(false);
                }
                resync = timer.schedule(RedisCluster.this::reconnected, 0, TimeUnit.MILLISECONDS);
            }
        }
    }

    /**
     * The link is back: subscribes every room and peer again and heart-beats (Redis may have restarted empty),
     * has the node register its entries again at once, and lists every room afresh a little later, when the
     * other nodes have registered theirs again too.
     */
    private void reconnected() {
        synchronized (this) {
            for (String room : rooms.keySet()) {
                String[] appRoom = room.split("\0", 2);
                subscribeAtRedis(appRoom[0], appRoom[1]);
            }
            for (String peer : peers.keySet()) {
                String[] appPeer = peer.split("\0", 2);
                pubsub.async().subscribe(Wire.peerChannel(appPeer[0], appPeer[1]));
            }
            pubsub.async().subscribe(Wire.nodeChannel(nodeId));
        }
        heartbeat();
        boolean lost;
        try {
            String now = establishEpoch();
            lost = !now.equals(epoch);
            epoch = now;
        } catch (Exception e) { // down again: the next reconnect tries again
            log.atWarn().setMessage("cluster_reconnect_failed").addKeyValue("reason", String.valueOf(e)).log();
            return;
        }
        for (Map.Entry<String, Set<String>> room : entries.entrySet()) {
            if (!room.getValue().isEmpty()) { // the room index of this node's entries, for the reaper
                commands.sadd(nodeRoomsKey(), Wire.bytes(room.getKey())).whenComplete(this::counted);
            }
        }
        PresenceStore.Listener listener = presence;
        if (listener != null) {
            listener.reconnected(lost);
        }
        log.atInfo().setMessage("cluster_reconnected").addKeyValue("redis_lost_data", lost)
                .addKeyValue("rooms", rooms.size()).addKeyValue("peers", peers.size()).log();
        synchronized (this) {
            resync = timer.schedule(this::resynchronize, settings.resyncDelay().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * The marker of Redis's current data set: written once by the first node, read by all; a different marker
     * after a reconnect means Redis lost everything (a restart without persistence).
     */
    private String establishEpoch() throws Exception {
        commands.set(EPOCH, Wire.bytes(Long.toHexString(ThreadLocalRandom.current().nextLong())),
                io.lettuce.core.SetArgs.Builder.nx()).get(5, TimeUnit.SECONDS);
        return text(commands.get(EPOCH).get(5, TimeUnit.SECONDS));
    }

    /** After a reconnect and a pause: lets the node list every room afresh. */
    private void resynchronize() {
        PresenceStore.Listener listener = presence;
        if (listener != null) {
            listener.resynchronize();
        }
        log.atInfo().setMessage("cluster_resynchronized").addKeyValue("rooms", rooms.size())
                .addKeyValue("peers", peers.size()).log();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Inbound: everything other nodes send, on the pub/sub connection's thread
    // ---------------------------------------------------------------------------------------------------------

    private final class Inbox extends RedisPubSubAdapter<byte[], byte[]> {
        @Override
        public void message(byte[] channel, byte[] payload) {
            try {
                receive(channel, payload, false);
            } catch (RuntimeException e) {
                log.atError().setMessage("cluster_inbound_failed").setCause(e).log();
            }
        }

        @Override
        public void message(byte[] pattern, byte[] channel, byte[] payload) {
            try {
                receive(channel, payload, true);
            } catch (RuntimeException e) {
                log.atError().setMessage("cluster_inbound_failed").setCause(e).log();
            }
        }
    }

    private void receive(byte[] channel, byte[] payload, boolean byPattern) {
        if (payload.length == 0) {
            return;
        }
        switch (payload[0]) {
            case Wire.MESSAGE -> {
                Wire.Fields f = Wire.split(payload, 8);
                if (f == null || f.text(2).equals(nodeId)) {
                    return;
                }
                long id = f.number(1);
                if (id == lastPublication) {
                    return; // the same publish again, through another of this node's subscriptions
                }
                lastPublication = id;
                publications.publication(new Publication(f.text(3), f.text(4), f.text(5), f.json(7), f.json(6)));
            }
            case Wire.COUNTED -> {
                Wire.Fields f = Wire.split(payload, 9);
                if (f == null) {
                    return;
                }
                String origin = f.text(2);
                long id = f.number(1);
                int delivered = 0;
                if (!origin.equals(nodeId) && id != lastPublication) {
                    lastPublication = id;
                    delivered = publications.publication(new Publication(f.text(4), f.text(5), f.text(6), f.json(8),
                            f.json(7)));
                }
                commands.publish(Wire.nodeChannel(origin), Wire.bytes("A\0" + f.text(3) + '\0' + delivered))
                        .whenComplete(this::counted);
            }
            case Wire.JOINED, Wire.LEFT -> {
                if (byPattern) {
                    return; // a pattern room's own deltas come through its exact subscription
                }
                Wire.Fields f = Wire.split(payload, 5);
                String[] appRoom = text(channel).substring("sb:c:".length()).split("\0", 2);
                if (f == null || appRoom.length != 2 || f.text(2).equals(nodeId)) {
                    return; // this node's own changes are applied here already
                }
                presence.delta(new Delta(appRoom[0], appRoom[1], f.number(1),
                        new Member(f.text(2), f.text(3), f.json(4)), payload[0] == Wire.JOINED));
            }
            case Wire.DIRECT -> {
                Wire.Fields f = Wire.split(payload, 3);
                String[] appPeer = text(channel).substring("sb:p:".length()).split("\0", 2);
                if (f != null && appPeer.length == 2 && !f.text(1).equals(nodeId)) {
                    peerInbound.direct(appPeer[0], appPeer[1], f.copy(2));
                }
            }
            case Wire.KICK -> {
                Wire.Fields f = Wire.split(payload, 3);
                String[] appPeer = text(channel).substring("sb:p:".length()).split("\0", 2);
                if (f != null && appPeer.length == 2 && !f.text(1).equals(nodeId)) {
                    int closed = peerInbound.kick(appPeer[0], appPeer[1]);
                    commands.publish(Wire.nodeChannel(f.text(1)), Wire.bytes("R\0" + f.text(2) + '\0' + closed))
                            .whenComplete(this::counted);
                }
            }
            case Wire.KICKED, Wire.ANSWER -> {
                Wire.Fields f = Wire.split(payload, 3);
                Tally tally = f == null ? null : tallies.get(f.number(1));
                if (tally != null) {
                    tally.answer((int) f.number(2));
                }
            }
            default -> log.atWarn().setMessage("cluster_inbound_unknown").addKeyValue("type", (char) payload[0]).log();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------------------------

    /** Runs a script by its SHA, and by its text if Redis does not have it (it restarted or flushed scripts). */
    private <T> CompletionStage<T> run(Scripts.Script script, ScriptOutputType type, byte[][] keys, byte[]... args) {
        try {
            CompletableFuture<T> bySha =
                    commands.<T>evalsha(script.sha(), type, keys, args).toCompletableFuture();
            return bySha.handle((result, failure) -> {
                if (failure == null) {
                    return CompletableFuture.completedFuture(result);
                }
                Throwable cause = failure instanceof java.util.concurrent.CompletionException c ? c.getCause()
                        : failure;
                if (cause instanceof RedisNoScriptException) {
                    return commands.<T>eval(script.text(), type, keys, args).toCompletableFuture();
                }
                return CompletableFuture.<T>failedFuture(cause);
            }).thenCompose(f -> f);
        } catch (RuntimeException e) { // the request queue is full
            return CompletableFuture.failedFuture(e);
        }
    }

    private void counted(Object result, Throwable failure) {
        if (failure != null) {
            failedCommands.incrementAndGet();
        }
    }

    private byte[] nodeRoomsKey() {
        return Wire.bytes("sb:nr:" + nodeId);
    }

    private static byte[] presenceKey(String appRoom) {
        return Wire.bytes("sb:h:" + appRoom);
    }

    private static String key(String a, String b) {
        return a + '\0' + b;
    }

    private static byte[][] keys(byte[]... keys) {
        return keys;
    }

    private static byte[][] args(String... args) {
        byte[][] out = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            out[i] = Wire.bytes(args[i]);
        }
        return out;
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "RedisCluster[" + nodeId + " " + RedisSettings.redact(settings.uri()) + "]";
    }
}
