package dev.switchboard.redis;

import dev.switchboard.core.spi.Broker;
import dev.switchboard.core.spi.Cluster;
import dev.switchboard.core.spi.ClusterCounters;
import dev.switchboard.core.spi.PeerRouter;
import dev.switchboard.core.spi.PresenceStore;
import dev.switchboard.core.spi.Publication;
import dev.switchboard.core.spi.Streams;
import dev.switchboard.protocol.Glob;
import dev.switchboard.protocol.RawJson;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SslOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.event.ClusterTopologyChangedEvent;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.pubsub.api.async.RedisPubSubAsyncCommands;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
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
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node of a cluster on Redis: publications and presence deltas over pub/sub (one channel per room a node has
 * subscribers in, so no node receives traffic it has nobody for), the presence registry and usage counters in
 * Lua-scripted keys ({@link Scripts}), peer routes as one pub/sub channel per peer its nodes listen on, and a
 * heartbeat by which the surviving nodes remove a dead node's members.
 *
 * <p>On one Redis: two connections, one for commands, whose order is the order this node publishes, changes
 * presence and asks (so a member's {@code joined} precedes its first message everywhere), and one for pub/sub, on
 * whose thread everything from other nodes arrives, in order. On a Redis Cluster ({@link RedisSettings#cluster()})
 * the same with sharded pub/sub ({@code SPUBLISH}/{@code SSUBSCRIBE}): a room's keys and channel share a slot, so
 * its commands and its traffic go through one shard's connection and keep their order there, and each shard's
 * traffic arrives on that connection's thread. Sharded pub/sub has no patterns: while a node holds pattern rooms
 * of an app it listens to the app's feed (a classic channel) and the other nodes, told so before its subscribe is
 * answered, send the app's publications there too; a node that receives both copies delivers the first.
 *
 * <p>While Redis is unreachable, commands fail at once (they are not queued): the node keeps serving its own
 * connections, and when the link is back it subscribes again, registers its members and peers again
 * ({@link PresenceStore.Listener#reconnected}) and a little later re-lists every room
 * ({@link PresenceStore.Listener#resynchronize}).
 */
public final class RedisCluster implements Cluster, Broker, PresenceStore, PeerRouter, ClusterCounters, Streams {
    private static final Logger log = LoggerFactory.getLogger(RedisCluster.class);
    /** How long a kick or a counted publish waits for the other nodes' answers. */
    private static final long ANSWER_TIMEOUT_MILLIS = Broker.COUNT_TIMEOUT_MILLIS;
    /** How long the first copy of a publication sent twice is remembered, to drop the second. */
    private static final long TWIN_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final RedisSettings settings;
    private final String nodeId;
    /** Sharded pub/sub on a Redis Cluster, or classic pub/sub on one Redis. */
    private final boolean sharded;
    private final byte[] publishCommand;
    private final AbstractRedisClient client;
    private final StatefulConnection<byte[], byte[]> connection;
    private final RedisClusterAsyncCommands<byte[], byte[]> commands;
    private final StatefulRedisPubSubConnection<byte[], byte[]> pubsub;
    private final RedisPubSubAsyncCommands<byte[], byte[]> subscriptions;
    private final ScheduledExecutorService timer;
    /** On a Redis Cluster, per-sender order across shards; null on one Redis (one connection keeps it). */
    private final ShardOrder order;
    /** On a Redis Cluster, the subscription to topology changes (new masters get connections). */
    private final reactor.core.Disposable topologyWatch;
    /** APP\0CHANNEL → subscribed (exact rooms and pattern rooms), to subscribe again after a reconnect. */
    private final ConcurrentHashMap<String, Boolean> rooms = new ConcurrentHashMap<>();
    /** APP\0PEER of the peers this node holds. */
    private final ConcurrentHashMap<String, Boolean> peers = new ConcurrentHashMap<>();
    /** APP\0ROOM → the peers this node has an entry of in the room's presence hash. */
    private final ConcurrentHashMap<String, Set<String>> entries = new ConcurrentHashMap<>();
    /** APP\0ROOM\0PEER of removals Redis did not take (the link was down), to make again on reconnect. */
    private final Set<String> failedRemovals = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<Long, Answers<Integer>> tallies = new ConcurrentHashMap<>();
    /** The connections to Redis that are down now. */
    private final Set<RedisChannelHandler<?, ?>> down = ConcurrentHashMap.newKeySet();
    /** Dead nodes this node is removing the entries of. */
    private final Set<String> reaping = ConcurrentHashMap.newKeySet();
    private final AtomicLong linkLosses = new AtomicLong();
    private final AtomicLong failedCommands = new AtomicLong();
    // Pattern rooms on a Redis Cluster
    /** App → this node's pattern rooms of it, by name (a feed brings all the app's publications: re-filtered). */
    private final ConcurrentHashMap<String, Map<String, Glob>> patternRooms = new ConcurrentHashMap<>();
    /** App → this node's announcement as a holder of its pattern rooms, done when every node knows. */
    private final ConcurrentHashMap<String, CompletableFuture<Void>> announced = new ConcurrentHashMap<>();
    /** App → the nodes holding pattern rooms of it (so publications of the app also go to its feed). */
    private final ConcurrentHashMap<String, Set<String>> holders = new ConcurrentHashMap<>();
    /** APP\0NODE → when its announcement arrived (nanos), so an older listing does not undo it. */
    private final ConcurrentHashMap<String, Long> announcedAt = new ConcurrentHashMap<>();
    /** Request → a take-over of this node waiting for the answers of the nodes holding the peer. */
    private final ConcurrentHashMap<Long, Answers<Cursor>> takeOvers = new ConcurrentHashMap<>();
    /** Id → this node's appends to streams whose own copy has not come back yet. */
    private final ConcurrentHashMap<Long, Own> owns = new ConcurrentHashMap<>();
    /** Id → arrival (nanos) of publications sent twice whose first copy arrived. */
    private final ConcurrentHashMap<Long, Long> firstCopies = new ConcurrentHashMap<>();
    private volatile int liveNodes = 1;
    private volatile Broker.Inbound publications;
    private volatile PresenceStore.Listener presence;
    private volatile PeerRouter.Inbound peerInbound;
    private volatile boolean closing;
    /** Set once this node has heart-beaten: only then are there entries of ours to remove when it leaves. */
    private volatile boolean joined;
    private volatile long downSinceNanos;
    /** When a survivor that took this node for dead began to remove its entries (µs); 0 if none did. */
    private volatile long reapedBefore;
    private ScheduledFuture<?> resync;
    /** Redis's data-set marker when this node last looked ({@link #establishEpoch}). */
    private volatile String epoch;
    /** On one Redis, the id of the last publication handed in: a publish matching several subscriptions arrives
     *  once each, one after the other. */
    private long lastPublication;

    private RedisCluster(RedisSettings settings) {
        this.settings = settings;
        this.nodeId = settings.nodeId();
        this.sharded = settings.cluster();
        this.publishCommand = Wire.bytes(sharded ? "SPUBLISH" : "PUBLISH");
        this.order = sharded ? new ShardOrder(nodeId) : null;
        if (sharded) {
            RedisClusterClient cluster = RedisClusterClient.create(settings.uri());
            cluster.setOptions(ClusterClientOptions.builder()
                    .autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .requestQueueSize(1 << 20)
                    .sslOptions(sslOptions(settings))
                    .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                            .enablePeriodicRefresh(Duration.ofSeconds(30))
                            .enableAllAdaptiveRefreshTriggers()
                            .build())
                    .build());
            this.client = cluster;
            try {
                StatefulRedisClusterConnection<byte[], byte[]> commandConnection =
                        cluster.connect(ByteArrayCodec.INSTANCE);
                this.connection = commandConnection;
                this.commands = commandConnection.async();
                this.pubsub = cluster.connectPubSub(ByteArrayCodec.INSTANCE);
            } catch (RuntimeException e) {
                cluster.shutdown(Duration.ZERO, Duration.ofSeconds(2));
                throw e;
            }
        } else {
            RedisClient single = RedisClient.create(RedisURI.create(settings.uri()));
            single.setOptions(ClientOptions.builder()
                    .autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .requestQueueSize(1 << 20)
                    .sslOptions(sslOptions(settings))
                    .build());
            this.client = single;
            try {
                StatefulRedisConnection<byte[], byte[]> commandConnection = single.connect(ByteArrayCodec.INSTANCE);
                this.connection = commandConnection;
                this.commands = commandConnection.async();
                this.pubsub = single.connectPubSub(ByteArrayCodec.INSTANCE);
            } catch (RuntimeException e) { // cannot connect: leave no client threads behind
                single.shutdown(Duration.ZERO, Duration.ofSeconds(2));
                throw e;
            }
        }
        this.subscriptions = pubsub.async();
        this.timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("redis-cluster-" + nodeId).factory());
        client.addListener(new LinkWatch());
        pubsub.addListener(new Inbox());
        if (sharded) {
            connectEveryShard();
            topologyWatch = client.getResources().eventBus().get()
                    .filter(event -> event instanceof ClusterTopologyChangedEvent && !closing)
                    .subscribe(event -> timer.execute(this::connectEveryShard));
        } else {
            topologyWatch = null;
        }
    }

    /** TLS as {@code rediss://} asks for it, trusting {@code settings.caFile()} if given, else the JVM's CAs. */
    private static SslOptions sslOptions(RedisSettings settings) {
        SslOptions.Builder ssl = SslOptions.builder().jdkSslProvider();
        if (settings.caFile() != null) {
            ssl.trustManager(new java.io.File(settings.caFile()));
        }
        return ssl.build();
    }

    /**
     * Opens the command and pub/sub connections to every master now: commands for a shard whose connection is
     * still opening would be refused, as they are while it is down.
     */
    private void connectEveryShard() {
        if (closing) {
            return;
        }
        StatefulRedisClusterConnection<byte[], byte[]> shards =
                (StatefulRedisClusterConnection<byte[], byte[]>) connection;
        StatefulRedisClusterPubSubConnection<byte[], byte[]> shardSubscriptions =
                (StatefulRedisClusterPubSubConnection<byte[], byte[]>) pubsub;
        for (RedisClusterNode node : ((RedisClusterClient) client).getPartitions()) {
            if (node.is(RedisClusterNode.NodeFlag.UPSTREAM) && !node.hasNoSlots()) {
                try {
                    shards.getConnection(node.getUri().getHost(), node.getUri().getPort());
                    shardSubscriptions.getConnection(node.getUri().getHost(), node.getUri().getPort());
                } catch (RuntimeException e) { // down: its connection opens when it is back
                    log.atWarn().setMessage("cluster_shard_unreachable").addKeyValue("shard", node.getUri().toString())
                            .addKeyValue("reason", String.valueOf(e)).log();
                }
            }
        }
    }

    /**
     * Connects to Redis and joins the cluster as {@code settings.nodeId()}; fails (after Lettuce's connect timeout)
     * if Redis is not reachable now.
     */
    public static RedisCluster connect(RedisSettings settings) {
        RedisCluster cluster;
        try {
            cluster = new RedisCluster(settings);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot join the cluster through Redis at "
                    + RedisSettings.redact(settings.uri()) + ": " + e.getMessage(), e);
        }
        try {
            Long alive = cluster.<Long>run(Scripts.ALIVE, ScriptOutputType.INTEGER, keys(Wire.NODES),
                    args(settings.nodeId(), Long.toString(settings.nodeTimeout().toMillis())))
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            if (alive == 1L) {
                throw new IllegalStateException("node id " + settings.nodeId() + " is in use by a live node "
                        + "(heart-beaten within " + settings.nodeTimeout().toSeconds() + " s); give each node its own "
                        + "broker.nodeId, or wait that long after the previous one stopped");
            }
            cluster.subscribeTo(Wire.nodeChannel(settings.nodeId())).toCompletableFuture().get(10, TimeUnit.SECONDS);
            if (cluster.sharded) {
                cluster.subscriptions.subscribe(Wire.ALL).toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
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
                .addKeyValue("redis", RedisSettings.redact(settings.uri()))
                .addKeyValue("redis_cluster", settings.cluster()).log();
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
    public Streams streams() {
        return this;
    }

    @Override
    public void start(Broker.Inbound publications, PresenceStore.Listener presence, PeerRouter.Inbound peers) {
        this.publications = publications;
        this.presence = presence;
        this.peerInbound = peers;
        long every = settings.heartbeat().toMillis();
        timer.scheduleWithFixedDelay(this::heartbeat, every, every, TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(this::forgetOldOwns, 1, 1, TimeUnit.SECONDS);
        if (sharded) {
            timer.scheduleWithFixedDelay(this::forgetOldCopies, 1, 1, TimeUnit.SECONDS);
            timer.scheduleWithFixedDelay(order::forgetQuietSenders, 1, 1, TimeUnit.SECONDS);
            timer.scheduleWithFixedDelay(order::expire, 100, 100, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public Link link() {
        return new Link(connected(), linkLosses.get(), failedCommands.get());
    }

    /** Whether every connection to Redis is up. */
    private boolean connected() {
        down.removeIf(RedisChannelHandler::isClosed);
        return down.isEmpty();
    }

    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        if (topologyWatch != null) {
            topologyWatch.dispose();
        }
        timer.shutdownNow();
        try {
            if (joined && connected()) { // leave now, not after the timeout: the others see our members go
                removeNode(nodeId, true).toCompletableFuture().get(2, TimeUnit.SECONDS);
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
        boolean fed = fed(publication.app());
        byte[] channel = Wire.roomChannel(publication.app(), publication.channel());
        byte[] feed = fed ? Wire.feedChannel(publication.app()) : null;
        ordered(key(publication.app(), publication.from()), channel, feed, origin -> {
            byte[] payload = Wire.message(id, origin, publication, fed);
            fire(() -> publishTo(channel, payload));
            if (fed) {
                fire(() -> commands.publish(feed, payload));
            }
            return null;
        });
    }

    /**
     * Hands {@code dispatch} the origin field for an item of {@code sender} on {@code channel}: this node's id, and
     * on a Redis Cluster its place in the sender's order ({@link ShardOrder}), dispatched in that order.
     */
    private <T> T ordered(String sender, byte[] channel, byte[] feed,
                          java.util.function.Function<String, T> dispatch) {
        return order == null ? dispatch.apply(nodeId) : order.send(sender, channel, feed, dispatch);
    }

    @Override
    public CompletionStage<Integer> publishCounted(Publication publication) {
        long id = ThreadLocalRandom.current().nextLong();
        long request = ThreadLocalRandom.current().nextLong();
        Answers<Integer> tally = Answers.counting();
        tallies.put(request, tally);
        timer.schedule(tally::expire, ANSWER_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        boolean fed = fed(publication.app());
        // every subscription that receives it answers once (this node's own with 0), the feed's holders too
        int feedAnswers = fed ? holders.getOrDefault(publication.app(), Set.of()).size() : 0;
        byte[] channel = Wire.roomChannel(publication.app(), publication.channel());
        try {
            byte[] feed = fed ? Wire.feedChannel(publication.app()) : null;
            ordered(key(publication.app(), publication.from()), channel, feed, origin -> {
                byte[] payload = Wire.countedMessage(id, origin, request, publication, fed);
                publishTo(channel, payload).whenComplete((receivers, failure) -> {
                    counted(receivers, failure);
                    tally.expect((failure != null ? 0 : receivers.intValue()) + feedAnswers);
                });
                if (fed) {
                    commands.publish(feed, payload).whenComplete(this::counted);
                }
                return null;
            });
        } catch (RuntimeException e) { // the request queue is full
            failedCommands.incrementAndGet();
            tally.expect(0);
        }
        return tally.closed.whenComplete((sum, failure) -> tallies.remove(request));
    }

    /** Whether publications of {@code app} go to its feed too: another node holds pattern rooms of it. */
    private boolean fed(String app) {
        if (!sharded) {
            return false;
        }
        Set<String> nodes = holders.get(app);
        return nodes != null && (nodes.size() > 1 || (nodes.size() == 1 && !nodes.contains(nodeId)));
    }

    @Override
    public synchronized CompletionStage<Void> subscribe(String app, String channel) {
        rooms.put(key(app, channel), Boolean.TRUE);
        if (sharded && Glob.isPattern(channel)) {
            patternRooms.compute(app, (k, globs) -> {
                Map<String, Glob> out = globs != null ? globs : new ConcurrentHashMap<>();
                out.put(channel, Glob.compile(channel));
                return out;
            });
        }
        return subscribeAtRedis(app, channel);
    }

    private CompletionStage<Void> subscribeAtRedis(String app, String channel) {
        CompletableFuture<Void> exact = subscribeTo(Wire.roomChannel(app, channel)).toCompletableFuture();
        if (!Glob.isPattern(channel)) {
            return exact;
        }
        CompletionStage<Void> pattern = sharded ? holdPatterns(app)
                : subscriptions.psubscribe(Wire.roomPattern(app, Glob.compile(channel)));
        return exact.thenCombine(pattern, (a, b) -> null);
    }

    @Override
    public synchronized CompletionStage<Void> unsubscribe(String app, String channel) {
        if (rooms.remove(key(app, channel)) == null) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> exact = unsubscribeFrom(Wire.roomChannel(app, channel)).toCompletableFuture();
        if (!Glob.isPattern(channel)) {
            return exact;
        }
        if (!sharded) {
            return exact.thenCombine(subscriptions.punsubscribe(Wire.roomPattern(app, Glob.compile(channel))),
                    (a, b) -> null);
        }
        boolean last = patternRooms.compute(app, (k, globs) -> {
            if (globs != null) {
                globs.remove(channel);
            }
            return globs == null || globs.isEmpty() ? null : globs;
        }) == null;
        if (last) {
            releasePatterns(app);
        }
        return exact;
    }

    /**
     * On a Redis Cluster, makes this node a holder of {@code app}'s pattern rooms: listens to the app's feed,
     * records itself, and tells every node, completing when all live ones answered (or after the answer timeout),
     * so that from then on every publication of the app reaches the feed.
     */
    private CompletionStage<Void> holdPatterns(String app) {
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> earlier = announced.putIfAbsent(app, mine);
        if (earlier != null) {
            return earlier;
        }
        byte[] feed = Wire.feedChannel(app);
        subscriptions.subscribe(feed).toCompletableFuture()
                .thenCompose(subscribed -> {
                    order.subscribed(feed);
                    return commands.sadd(Wire.PATTERN_HOLDERS, Wire.bytes(key(app, nodeId)));
                })
                .thenCompose(added -> {
                    holders.compute(app, (k, nodes) -> with(nodes, nodeId));
                    long request = ThreadLocalRandom.current().nextLong();
                    Answers<Integer> answers = Answers.counting();
                    tallies.put(request, answers);
                    timer.schedule(answers::expire, ANSWER_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
                    int others = Math.max(0, liveNodes - 1);
                    commands.publish(Wire.ALL, Wire.bytes("P\0" + app + '\0' + nodeId + '\0' + request))
                            .whenComplete((receivers, failure) -> answers.expect(failure != null ? 0 : others));
                    return answers.closed.whenComplete((sum, failure) -> tallies.remove(request));
                })
                .whenComplete((sum, failure) -> {
                    if (failure != null) {
                        announced.remove(app, mine);
                        mine.completeExceptionally(failure);
                    } else {
                        mine.complete(null);
                    }
                });
        return mine;
    }

    /** This node holds no pattern rooms of {@code app} any more; the others stop feeding it at their next beat. */
    private void releasePatterns(String app) {
        announced.remove(app);
        order.unsubscribed(Wire.feedChannel(app));
        fire(() -> subscriptions.unsubscribe(Wire.feedChannel(app)));
        fire(() -> commands.srem(Wire.PATTERN_HOLDERS, Wire.bytes(key(app, nodeId))));
        holders.computeIfPresent(app, (k, nodes) -> without(nodes, nodeId));
    }

    // ---------------------------------------------------------------------------------------------------------
    // PresenceStore
    // ---------------------------------------------------------------------------------------------------------

    @Override
    public void add(String app, String room, String peerId, RawJson metadata) {
        String appRoom = key(app, room);
        failedRemovals.remove(appRoom + '\0' + peerId);
        entries.compute(appRoom, (k, present) -> {
            if (present == null) { // the room index of this node's entries, for the reaper; before the entry
                fire(() -> commands.sadd(Wire.nodeRoomsKey(nodeId), Wire.bytes(appRoom)));
                present = ConcurrentHashMap.newKeySet();
            }
            present.add(peerId);
            return present;
        });
        byte[] channel = Wire.roomChannel(app, room);
        ordered(key(app, peerId), channel, null, origin -> run(Scripts.ADD, ScriptOutputType.INTEGER,
                keys(Wire.presenceKey(app, room), Wire.versionKey(app, room), channel),
                args(nodeId, peerId, metadata == null ? "" : metadata.toString(), publishCommand,
                        Long.toString(reapedBefore), origin)))
                .whenComplete(this::counted);
    }

    @Override
    public void remove(String app, String room, String peerId) {
        String appRoom = key(app, room);
        entries.computeIfPresent(appRoom, (k, present) -> {
            present.remove(peerId);
            if (present.isEmpty()) {
                fire(() -> commands.srem(Wire.nodeRoomsKey(nodeId), Wire.bytes(appRoom)));
                return null;
            }
            return present;
        });
        byte[] channel = Wire.roomChannel(app, room);
        ordered(key(app, peerId), channel, null, origin -> run(Scripts.REMOVE, ScriptOutputType.INTEGER,
                keys(Wire.presenceKey(app, room), Wire.versionKey(app, room), channel),
                args(nodeId, peerId, publishCommand, origin)))
                .whenComplete((removed, failure) -> {
                    counted(removed, failure);
                    if (failure != null) { // other nodes would list it until we leave: again on reconnect
                        failedRemovals.add(appRoom + '\0' + peerId);
                    }
                });
    }

    @Override
    public CompletionStage<Members> list(String app, String room) {
        return this.<List<Object>>run(Scripts.LIST, ScriptOutputType.MULTI,
                keys(Wire.presenceKey(app, room), Wire.versionKey(app, room)), args()).thenApply(this::members);
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
        return subscribeTo(Wire.peerChannel(app, peerId));
    }

    @Override
    public synchronized void unregister(String app, String peerId) {
        if (peers.remove(key(app, peerId)) != null) {
            fire(() -> unsubscribeFrom(Wire.peerChannel(app, peerId)));
        }
    }

    @Override
    public CompletionStage<Integer> send(String app, String from, String peerId, byte[] frame) {
        boolean here = peers.containsKey(key(app, peerId));
        byte[] channel = Wire.peerChannel(app, peerId);
        try {
            return ordered(key(app, from), channel, null, origin -> publishTo(channel, Wire.direct(origin, frame)))
                    .thenApply(receivers -> (int) Math.max(0, receivers - (here ? 1 : 0)));
        } catch (RuntimeException e) { // the request queue is full
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletionStage<Integer> kick(String app, String peerId) {
        boolean here = peers.containsKey(key(app, peerId));
        long request = ThreadLocalRandom.current().nextLong();
        Answers<Integer> kick = Answers.counting();
        tallies.put(request, kick);
        timer.schedule(kick::expire, ANSWER_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        try {
            publishTo(Wire.peerChannel(app, peerId), Wire.bytes("K\0" + nodeId + '\0' + request))
                    .whenComplete((receivers, failure) -> kick.expect(failure != null ? 0
                            : (int) Math.max(0, receivers - (here ? 1 : 0))));
        } catch (RuntimeException e) { // the request queue is full
            kick.expect(0);
        }
        return kick.closed.whenComplete((closed, failure) -> tallies.remove(request));
    }

    /**
     * A request waiting for the answers of the nodes (or subscriptions) it reached — a kick, a counted publish, an
     * announcement, a take-over — folded into one result as they come; done when all came or on expiry.
     */
    private static final class Answers<T> {
        final CompletableFuture<T> closed = new CompletableFuture<>();
        private final java.util.function.BinaryOperator<T> fold;
        private int expected = -1;
        private int answers;
        private T result;

        Answers(T none, java.util.function.BinaryOperator<T> fold) {
            this.result = none;
            this.fold = fold;
        }

        /** Answers summed: connections reached. */
        static Answers<Integer> counting() {
            return new Answers<>(0, Integer::sum);
        }

        synchronized void expect(int nodes) {
            expected = nodes;
            settleIfDone();
        }

        synchronized void answer(T value) {
            answers++;
            result = fold.apply(result, value);
            settleIfDone();
        }

        synchronized void expire() {
            closed.complete(result);
        }

        private void settleIfDone() {
            if (expected >= 0 && answers >= expected) {
                closed.complete(result);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Streams
    // ---------------------------------------------------------------------------------------------------------

    /**
     * An append of this node waiting for its own copy: handed to {@code here} when it comes (in the channel's
     * order, leaving the sender out), remembered for {@link #TWIN_NANOS} for a copy that comes late.
     */
    private static final class Own {
        final ToIntFunction<Publication> here;
        final CompletableFuture<Integer> delivered = new CompletableFuture<>();
        final long sinceNanos = System.nanoTime();

        Own(ToIntFunction<Publication> here) {
            this.here = here;
        }

        int deliver(Publication publication) {
            int count = 0;
            try {
                count = here.applyAsInt(publication);
            } finally {
                delivered.complete(count);
            }
            return count;
        }
    }

    @Override
    public CompletionStage<Integer> append(Publication publication, int size, long ttlMillis, boolean comesBack,
                                           boolean count, ToIntFunction<Publication> here) {
        long id = ThreadLocalRandom.current().nextLong();
        long request = count ? ThreadLocalRandom.current().nextLong() : 0;
        Own own = new Own(here);
        owns.put(id, own);
        Answers<Integer> tally = count ? Answers.counting() : null;
        if (count) {
            tallies.put(request, tally);
            timer.schedule(tally::expire, ANSWER_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        }
        String app = publication.app();
        boolean fed = fed(app);
        // every subscription it reaches answers once (this node's own copy here, not through Redis), the feed's too
        int feedAnswers = fed ? holders.getOrDefault(app, Set.of()).size() : 0;
        CompletionStage<List<Object>> appended = run(Scripts.APPEND, ScriptOutputType.MULTI,
                keys(Wire.streamMetaKey(app, publication.channel()), Wire.streamKey(app, publication.channel()),
                        Wire.roomChannel(app, publication.channel())),
                args(Wire.streamHead(id, nodeId, request, publication, fed), publication.from(),
                        Wire.json(publication.fromMetadata()), Wire.json(publication.data()),
                        Integer.toString(size), Long.toString(ttlMillis), newEpoch(), publishCommand));
        CompletableFuture<Integer> result = new CompletableFuture<>();
        appended.whenComplete((reply, failure) -> {
            if (failure != null) {
                failedCommands.incrementAndGet();
                owns.remove(id);
                if (count) {
                    tallies.remove(request);
                }
                result.completeExceptionally(failure);
                return;
            }
            if (fed) {
                Publication positioned = publication.at((Long) reply.get(0), text((byte[]) reply.get(1)));
                fire(() -> commands.publish(Wire.feedChannel(app),
                        Wire.streamMessageFed(id, nodeId, request, positioned)));
            }
            if (comesBack) {
                timer.schedule(() -> own.delivered.complete(0), OWN_COPY_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            } else { // no subscription here brings it back (one made meanwhile delivers it as another node's)
                owns.remove(id);
                own.delivered.complete(0);
            }
            if (count) {
                tally.expect(((Long) reply.get(2)).intValue() + feedAnswers);
                tally.closed.whenComplete((sum, ignored) -> tallies.remove(request));
                own.delivered.thenCombine(tally.closed, (mine, all) -> all).thenAccept(result::complete);
            } else {
                own.delivered.thenAccept(result::complete);
            }
        });
        return result;
    }

    @Override
    public CompletionStage<Range> read(String app, String channel, String epoch, Long after, int limit) {
        return this.<List<Object>>run(Scripts.READ, ScriptOutputType.MULTI,
                keys(Wire.streamMetaKey(app, channel), Wire.streamKey(app, channel)),
                args(epoch == null ? "" : epoch, after == null ? "" : after.toString(), Integer.toString(limit),
                        newEpoch()))
                .thenApply(reply -> {
                    @SuppressWarnings("unchecked")
                    List<Object> found = (List<Object>) reply.get(3);
                    List<Entry> entries = new ArrayList<>(found.size());
                    for (Object item : found) {
                        entries.add(entry((List<?>) item));
                    }
                    if (after == null) {
                        java.util.Collections.reverse(entries); // read newest first
                    }
                    return new Range(text((byte[]) reply.get(0)), Long.parseLong(text((byte[]) reply.get(1))),
                            Long.parseLong(text((byte[]) reply.get(2))), entries);
                });
    }

    /** A stream entry as XRANGE gives it: {OFFSET-1, {t, ms, f, from, m, metadata, d, data}}. */
    private static Entry entry(List<?> item) {
        String id = text((byte[]) item.get(0));
        List<?> fields = (List<?>) item.get(1);
        byte[] metadata = (byte[]) fields.get(5);
        long offset = Long.parseLong(id.substring(0, id.indexOf('-')));
        return new Entry(offset, Long.parseLong(text((byte[]) fields.get(1))), text((byte[]) fields.get(3)),
                RawJson.wrap((byte[]) fields.get(7)), metadata.length == 0 ? null : RawJson.wrap(metadata));
    }

    @Override
    public void keepCursor(String app, String peerId, String channel, Cursor cursor) {
        fire(() -> run(Scripts.KEEP_CURSOR, ScriptOutputType.INTEGER, keys(Wire.cursorKey(app, peerId, channel)),
                args(cursor.offset() + ":" + cursor.epoch() + ":" + cursor.expiresAtMillis(),
                        Integer.toString(CURSORS_PER_PEER_CHANNEL), Long.toString(System.currentTimeMillis()))));
    }

    @Override
    public CompletionStage<Cursor> claimCursor(String app, String peerId, String channel, String epoch,
                                               long nowMillis) {
        return this.<byte[]>run(Scripts.CLAIM_CURSOR, ScriptOutputType.VALUE,
                keys(Wire.cursorKey(app, peerId, channel)), args(epoch == null ? "" : epoch, Long.toString(nowMillis)))
                .thenApply(claimed -> {
                    if (claimed == null) {
                        return null;
                    }
                    String[] parts = text(claimed).split(":");
                    return new Cursor(Long.parseLong(parts[0]), parts[1], Long.parseLong(parts[2]));
                });
    }

    /**
     * A candidate epoch, used only if the stream has to be started: random, base 36 (a per-thread generator: one is
     * drawn per append, on every event loop).
     */
    private static String newEpoch() {
        return Long.toString(ThreadLocalRandom.current().nextLong() >>> 16, 36);
    }

    @Override
    public CompletionStage<Cursor> takeOver(String app, String peerId, String channel) {
        boolean here = peers.containsKey(key(app, peerId));
        long request = ThreadLocalRandom.current().nextLong();
        Answers<Cursor> oldest = new Answers<>(null, (x, y) -> Streams.older(x, y, null));
        takeOvers.put(request, oldest);
        timer.schedule(oldest::expire, ANSWER_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        try {
            publishTo(Wire.peerChannel(app, peerId), Wire.bytes("O\0" + nodeId + '\0' + request + '\0' + channel))
                    .whenComplete((receivers, failure) -> oldest.expect(failure != null ? 0
                            : (int) Math.max(0, receivers - (here ? 1 : 0))));
        } catch (RuntimeException e) { // the request queue is full
            oldest.expect(0);
        }
        return oldest.closed.whenComplete((found, failure) -> takeOvers.remove(request));
    }

    /** Forgets own appends whose copy never came (this node unsubscribed meanwhile, or the link broke). */
    private void forgetOldOwns() {
        long now = System.nanoTime();
        owns.values().removeIf(own -> now - own.sinceNanos > TWIN_NANOS);
    }

    // ---------------------------------------------------------------------------------------------------------
    // ClusterCounters
    // ---------------------------------------------------------------------------------------------------------

    @Override
    public CompletionStage<Boolean> tryAcquire(String app, int cap) {
        fire(() -> commands.sadd(Wire.nodeAppsKey(nodeId), Wire.bytes(app))); // before the count, for the reaper
        return this.<Long>run(Scripts.ACQUIRE, ScriptOutputType.INTEGER,
                keys(Wire.appKey("conn", app), Wire.appKey("peak", app)),
                args(nodeId, Integer.toString(cap))).thenApply(taken -> taken == 1L);
    }

    @Override
    public void release(String app) {
        run(Scripts.RELEASE, ScriptOutputType.INTEGER, keys(Wire.appKey("conn", app)), args(nodeId))
                .whenComplete(this::counted);
    }

    @Override
    public CompletionStage<Totals> report(String app, long periodStartMillis, int connections, long opened,
                                          long messages) {
        if (connections > 0) {
            fire(() -> commands.sadd(Wire.nodeAppsKey(nodeId), Wire.bytes(app)));
        }
        return this.<List<Long>>run(Scripts.REPORT, ScriptOutputType.MULTI,
                keys(Wire.appKey("conn", app), Wire.appKey("peak", app), Wire.appKey("opened", app),
                        Wire.appKey("msg", app)),
                args(nodeId, Integer.toString(connections), Long.toString(opened), Long.toString(messages),
                        Long.toString(periodStartMillis)))
                .thenApply(t -> new Totals(t.get(0).intValue(), t.get(1).intValue(), t.get(2), t.get(3)));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Heartbeat, failure and recovery
    // ---------------------------------------------------------------------------------------------------------

    /**
     * Records this node as alive, removes the entries of nodes that have been silent too long, learns which nodes
     * hold pattern rooms, and registers everything again if a survivor took this node for dead (a long pause).
     */
    private CompletionStage<Void> heartbeat() {
        long timeout = settings.nodeTimeout().toMillis();
        long askedAt = System.nanoTime();
        return this.<List<Object>>run(Scripts.HEARTBEAT, ScriptOutputType.MULTI,
                keys(Wire.NODES, Wire.REAPED, Wire.PATTERN_HOLDERS), args(nodeId, Long.toString(timeout)))
                .thenAccept(reply -> {
                    @SuppressWarnings("unchecked")
                    List<byte[]> stale = (List<byte[]>) reply.get(0);
                    for (byte[] node : stale) {
                        String dead = text(node);
                        if (!dead.equals(nodeId) && reaping.add(dead)) {
                            removeNode(dead, false).whenComplete((removed, failure) -> reaping.remove(dead));
                        }
                    }
                    long reapedAt = Long.parseLong(text((byte[]) reply.get(1)));
                    if (reapedAt > 0 && joined) {
                        reapedBefore = reapedAt * 1000;
                        log.atWarn().setMessage("cluster_node_taken_for_dead").addKeyValue("node", nodeId).log();
                        registerAgain(false);
                    }
                    @SuppressWarnings("unchecked")
                    List<byte[]> listed = (List<byte[]>) reply.get(2);
                    learnHolders(listed, askedAt);
                    liveNodes = ((Long) reply.get(3)).intValue();
                }).exceptionally(failure -> null);
    }

    /**
     * Removes node {@code node}'s presence entries (joined before the moment it was taken for dead, or all when it
     * {@code leaves}), each with a {@code left} delta, gives back its connection slots and forgets it. Runs room by
     * room (on a Redis Cluster each room is a slot of its own); several survivors doing it at once is harmless.
     * Completes with how many entries this call removed, or -1 if the node is alive.
     */
    private CompletionStage<Long> removeNode(String node, boolean leaves) {
        long timeout = settings.nodeTimeout().toMillis();
        CompletionStage<Long> marked = leaves ? CompletableFuture.completedFuture(Long.MAX_VALUE)
                : this.<Long>run(Scripts.MARK, ScriptOutputType.INTEGER, keys(Wire.NODES, Wire.REAPED),
                        args(node, Long.toString(timeout))).thenApply(mark -> mark < 0 ? -1 : mark * 1000);
        return marked.thenCompose(before -> {
            if (before < 0) {
                return CompletableFuture.completedFuture(-1L);
            }
            return removeEntries(node, before).thenCompose(removed -> giveBackSlots(node)
                    .thenCompose(given -> forget(node, leaves)).thenApply(forgotten -> removed));
        }).whenComplete((removed, failure) -> {
            if (failure == null && removed >= 0 && !leaves) {
                log.atWarn().setMessage("cluster_node_removed").addKeyValue("node", node)
                        .addKeyValue("members", removed).log();
            }
        });
    }

    /** Removes {@code node}'s entries joined before {@code before} (µs) from every room it had entries in. */
    private CompletionStage<Long> removeEntries(String node, long before) {
        return commands.smembers(Wire.nodeRoomsKey(node)).thenCompose(held -> {
            List<CompletableFuture<Long>> each = new ArrayList<>();
            for (byte[] appRoom : held) {
                String[] parts = text(appRoom).split("\0", 2);
                if (parts.length == 2) {
                    each.add(this.<Long>run(Scripts.REAP_ROOM, ScriptOutputType.INTEGER,
                            keys(Wire.presenceKey(parts[0], parts[1]), Wire.versionKey(parts[0], parts[1]),
                                    Wire.roomChannel(parts[0], parts[1])),
                            args(node, Long.toString(before), publishCommand)).toCompletableFuture());
                }
            }
            return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
                    .thenApply(done -> each.stream().mapToLong(CompletableFuture::join).sum());
        });
    }

    /** Gives back {@code node}'s connection slots of every app it held connections of. */
    private CompletionStage<Void> giveBackSlots(String node) {
        return commands.smembers(Wire.nodeAppsKey(node)).thenCompose(apps -> CompletableFuture.allOf(
                apps.stream().map(app -> run(Scripts.REAP_APP, ScriptOutputType.INTEGER,
                        keys(Wire.appKey("conn", text(app))), args(node)).toCompletableFuture())
                        .toArray(CompletableFuture[]::new)));
    }

    /** Forgets {@code node} and its indexes if it is still silent or {@code leaves}; not if it heart-beat since. */
    private CompletionStage<Void> forget(String node, boolean leaves) {
        return this.<Long>run(Scripts.FORGET, ScriptOutputType.INTEGER, keys(Wire.NODES, Wire.PATTERN_HOLDERS),
                        args(node, Long.toString(settings.nodeTimeout().toMillis()), leaves ? "1" : "0"))
                .thenCompose(forgotten -> forgotten == 1L
                        ? commands.del(Wire.nodeRoomsKey(node), Wire.nodeAppsKey(node)).thenApply(deleted -> null)
                        : CompletableFuture.<Void>completedFuture(null));
    }

    /** Takes in the pattern holders Redis listed (asked at {@code askedAt}), keeping announcements made since. */
    private void learnHolders(List<byte[]> listed, long askedAt) {
        if (!sharded) {
            return;
        }
        Set<String> present = new HashSet<>();
        for (byte[] entry : listed) {
            String[] appNode = text(entry).split("\0", 2);
            if (appNode.length == 2) {
                present.add(text(entry));
                holders.compute(appNode[0], (k, nodes) -> with(nodes, appNode[1]));
            }
        }
        for (String app : List.copyOf(holders.keySet())) {
            holders.computeIfPresent(app, (k, nodes) -> {
                for (String node : List.copyOf(nodes)) {
                    String appNode = key(app, node);
                    Long at = announcedAt.get(appNode);
                    boolean mine = node.equals(nodeId) && patternRooms.containsKey(app);
                    if (!present.contains(appNode) && !mine && (at == null || at - askedAt < 0)) {
                        nodes.remove(node);
                        announcedAt.remove(appNode);
                    }
                }
                return nodes.isEmpty() ? null : nodes;
            });
        }
    }

    /** Forgets first copies whose second never came (the feed or the room was unsubscribed meanwhile). */
    private void forgetOldCopies() {
        long now = System.nanoTime();
        firstCopies.values().removeIf(arrived -> now - arrived > TWIN_NANOS);
    }

    /** Notices the links to Redis break and come back, and brings the node in step again afterwards. */
    private final class LinkWatch implements RedisConnectionStateListener {
        @Override
        public void onRedisDisconnected(RedisChannelHandler<?, ?> channel) {
            if (closing) {
                return;
            }
            synchronized (RedisCluster.this) {
                down.add(channel);
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
                down.remove(channel);
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
            announced.clear(); // the holders' set may be gone: announce again
            for (String room : rooms.keySet()) {
                String[] appRoom = room.split("\0", 2);
                subscribeAtRedis(appRoom[0], appRoom[1]);
            }
            for (String peer : peers.keySet()) {
                String[] appPeer = peer.split("\0", 2);
                fire(() -> subscribeTo(Wire.peerChannel(appPeer[0], appPeer[1])));
            }
            fire(() -> subscribeTo(Wire.nodeChannel(nodeId)));
            if (sharded) {
                fire(() -> subscriptions.subscribe(Wire.ALL));
            }
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
        registerAgain(lost);
        log.atInfo().setMessage("cluster_reconnected").addKeyValue("redis_lost_data", lost)
                .addKeyValue("rooms", rooms.size()).addKeyValue("peers", peers.size()).log();
        synchronized (this) {
            resync = timer.schedule(this::resynchronize, settings.resyncDelay().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Writes this node's state into Redis again: the index of its rooms, the removals Redis did not take, and
     * (through the listener) its entries and peers.
     */
    private void registerAgain(boolean storeLost) {
        for (Map.Entry<String, Set<String>> room : entries.entrySet()) {
            if (!room.getValue().isEmpty()) {
                fire(() -> commands.sadd(Wire.nodeRoomsKey(nodeId), Wire.bytes(room.getKey())));
            }
        }
        for (String removal : List.copyOf(failedRemovals)) {
            String[] appRoomPeer = removal.split("\0", 3);
            Set<String> present = entries.get(key(appRoomPeer[0], appRoomPeer[1]));
            failedRemovals.remove(removal);
            if (present == null || !present.contains(appRoomPeer[2])) {
                remove(appRoomPeer[0], appRoomPeer[1], appRoomPeer[2]);
            }
        }
        PresenceStore.Listener listener = presence;
        if (listener != null) {
            listener.reconnected(storeLost);
        }
    }

    /**
     * The marker of Redis's current data set: written once by the first node, read by all; a different marker
     * after a reconnect means Redis lost everything (a restart without persistence).
     */
    private String establishEpoch() throws Exception {
        commands.set(Wire.EPOCH, Wire.bytes(Long.toHexString(ThreadLocalRandom.current().nextLong())),
                io.lettuce.core.SetArgs.Builder.nx()).get(5, TimeUnit.SECONDS);
        return text(commands.get(Wire.EPOCH).get(5, TimeUnit.SECONDS));
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

    /**
     * On a Redis Cluster, Redis drops a shard channel's subscribers when its slot moves to another shard: subscribe
     * again where it lives now, if this node still wants it.
     */
    private void moved(byte[] channel) {
        String name = text(channel);
        String[] appRoom = Wire.appRoom(name);
        String[] appPeer = Wire.appPeer(name);
        boolean wanted = (appRoom != null && rooms.containsKey(key(appRoom[0], appRoom[1])))
                || (appPeer != null && peers.containsKey(key(appPeer[0], appPeer[1])))
                || Arrays.equals(channel, Wire.nodeChannel(nodeId));
        if (!wanted || closing) {
            return;
        }
        log.atWarn().setMessage("cluster_channel_moved").addKeyValue("channel", name.replace('\0', '/')).log();
        timer.execute(() -> {
            ((RedisClusterClient) client).refreshPartitions();
            fire(() -> subscribeTo(channel));
        });
    }

    // ---------------------------------------------------------------------------------------------------------
    // Inbound: everything other nodes send, on the pub/sub connections' threads
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

        @Override
        public void smessage(byte[] channel, byte[] payload) {
            message(channel, payload);
        }

        @Override
        public void sunsubscribed(byte[] channel, long count) {
            moved(channel);
        }
    }

    private void receive(byte[] channel, byte[] payload, boolean byPattern) {
        if (payload.length == 0) {
            return;
        }
        switch (payload[0]) {
            case Wire.MESSAGE, Wire.MESSAGE_FED -> {
                Wire.Fields f = Wire.split(payload, 8);
                if (f == null) {
                    return;
                }
                ShardOrder.Origin origin = ShardOrder.Origin.parse(f.text(2));
                if (origin.node().equals(nodeId)) {
                    return;
                }
                boolean wanted = wanted(channel, f.text(3), f.text(4)); // an unwanted one still counts as come
                inOrder(origin, channel, () -> {
                    if (wanted && firstCopy(payload[0] == Wire.MESSAGE_FED, f.number(1))) {
                        publications.publication(new Publication(f.text(3), f.text(4), f.text(5), f.json(7),
                                f.json(6)));
                    }
                });
            }
            case Wire.COUNTED, Wire.COUNTED_FED -> {
                Wire.Fields f = Wire.split(payload, 9);
                if (f == null) {
                    return;
                }
                ShardOrder.Origin origin = ShardOrder.Origin.parse(f.text(2));
                if (origin.node().equals(nodeId)) {
                    answer(origin.node(), f.text(3), 0);
                    return;
                }
                boolean wanted = wanted(channel, f.text(4), f.text(5));
                inOrder(origin, channel, () -> {
                    int delivered = 0;
                    if (wanted && firstCopy(payload[0] == Wire.COUNTED_FED, f.number(1))) {
                        delivered = publications.publication(new Publication(f.text(4), f.text(5), f.text(6),
                                f.json(8), f.json(7)));
                    }
                    answer(origin.node(), f.text(3), delivered);
                });
            }
            case Wire.STREAM_MESSAGE, Wire.STREAM_MESSAGE_FED -> {
                Wire.Fields f = Wire.split(payload, 11);
                if (f == null) {
                    return;
                }
                streamMessage(channel, f, payload[0] == Wire.STREAM_MESSAGE_FED);
            }
            case Wire.JOINED, Wire.LEFT -> {
                if (byPattern) {
                    return; // a pattern room's own deltas come through its exact subscription
                }
                Wire.Fields f = Wire.split(payload, 5);
                String[] appRoom = Wire.appRoom(text(channel));
                if (f == null || appRoom == null) {
                    return;
                }
                ShardOrder.Origin origin = ShardOrder.Origin.parse(f.text(2));
                if (origin.node().equals(nodeId)) {
                    return; // this node's own changes are applied here already
                }
                Delta delta = new Delta(appRoom[0], appRoom[1], f.number(1),
                        new Member(origin.node(), f.text(3), f.json(4)), payload[0] == Wire.JOINED);
                inOrder(origin, channel, () -> presence.delta(delta));
            }
            case Wire.DIRECT -> {
                Wire.Fields f = Wire.split(payload, 3);
                String[] appPeer = Wire.appPeer(text(channel));
                if (f == null || appPeer == null) {
                    return;
                }
                ShardOrder.Origin origin = ShardOrder.Origin.parse(f.text(1));
                if (!origin.node().equals(nodeId)) {
                    byte[] frame = f.copy(2);
                    inOrder(origin, channel, () -> peerInbound.direct(appPeer[0], appPeer[1], frame));
                }
            }
            case Wire.KICK -> {
                Wire.Fields f = Wire.split(payload, 3);
                String[] appPeer = Wire.appPeer(text(channel));
                if (f != null && appPeer != null && !f.text(1).equals(nodeId)) {
                    int closed = peerInbound.kick(appPeer[0], appPeer[1]);
                    fire(() -> publishTo(Wire.nodeChannel(f.text(1)), Wire.bytes("R\0" + f.text(2) + '\0' + closed)));
                }
            }
            case Wire.TAKE_OVER -> {
                Wire.Fields f = Wire.split(payload, 4);
                String[] appPeer = Wire.appPeer(text(channel));
                if (f != null && appPeer != null && !f.text(1).equals(nodeId)) {
                    Cursor found = peerInbound.takeOver(appPeer[0], appPeer[1], f.text(3));
                    fire(() -> publishTo(Wire.nodeChannel(f.text(1)), Wire.bytes("Q\0" + f.text(2) + '\0'
                            + (found == null ? "\0" : found.offset() + "\0" + found.epoch()))));
                }
            }
            case Wire.TAKEN_OVER -> {
                Wire.Fields f = Wire.split(payload, 4);
                Answers<Cursor> oldest = f == null ? null : takeOvers.get(f.number(1));
                if (oldest != null) {
                    oldest.answer(f.length(2) == 0 ? null
                            : new Cursor(f.number(2), f.text(3), Long.MAX_VALUE));
                }
            }
            case Wire.KICKED, Wire.ANSWER -> {
                Wire.Fields f = Wire.split(payload, 3);
                Answers<Integer> tally = f == null ? null : tallies.get(f.number(1));
                if (tally != null) {
                    tally.answer((int) f.number(2));
                }
            }
            case Wire.PATTERNS -> {
                Wire.Fields f = Wire.split(payload, 4);
                if (f != null && !f.text(2).equals(nodeId)) {
                    String app = f.text(1);
                    String node = f.text(2);
                    announcedAt.put(key(app, node), System.nanoTime());
                    holders.compute(app, (k, nodes) -> with(nodes, node));
                    answer(node, f.text(3), 0);
                }
            }
            default -> log.atWarn().setMessage("cluster_inbound_unknown").addKeyValue("type", (char) payload[0]).log();
        }
    }

    /**
     * A publication of a channel's stream, from any node, this one included: delivered at once, not held for
     * {@link ShardOrder} (a room's stream publications arrive in offset order on the room's one channel, which is
     * the order every node delivers them in); this node's own is handed to the append that waits for it. A counted
     * one is answered, this node's own here rather than through Redis.
     */
    private void streamMessage(byte[] channel, Wire.Fields f, boolean fed) {
        long id = f.number(1);
        String origin = f.text(2);
        long request = f.number(3);
        String app = f.text(4);
        String room = f.text(5);
        int delivered = 0;
        if (wanted(channel, app, room) && firstCopy(fed, id)) {
            Publication publication = new Publication(app, room, f.text(6), f.json(10), f.json(9), f.number(7),
                    f.text(8));
            Own own = origin.equals(nodeId) ? owns.remove(id) : null;
            delivered = own != null ? own.deliver(publication) : publications.publication(publication);
        }
        if (request == 0) {
            return;
        }
        if (origin.equals(nodeId)) {
            Answers<Integer> tally = tallies.get(request);
            if (tally != null) {
                tally.answer(delivered);
            }
        } else {
            answer(origin, Long.toString(request), delivered);
        }
    }

    /**
     * Whether a publication of {@code app}'s {@code room} that came through {@code channel} is for this node: all
     * that come through a room's own channel are; an app's feed brings all of its publications (on a Redis Cluster),
     * and only those matching one of this node's rooms are.
     */
    private boolean wanted(byte[] channel, String app, String room) {
        if (!sharded || !Wire.isFeed(channel)) {
            return true;
        }
        if (rooms.containsKey(key(app, room))) {
            return true;
        }
        Map<String, Glob> globs = patternRooms.get(app);
        if (globs != null) {
            for (Glob glob : globs.values()) {
                if (glob.matches(room)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Whether this copy of publication {@code id} is to be delivered. On one Redis a publish matching several of
     * this node's subscriptions arrives once for each, one right after the other; on a Redis Cluster a publication
     * sent twice ({@code fed}: its room's channel and its app's feed) arrives on two connections, and the first
     * copy wins (each path keeps its order, so the first copies do too).
     */
    private boolean firstCopy(boolean fed, long id) {
        if (sharded) {
            return !fed || firstCopies.remove(id) == null && firstCopies.putIfAbsent(id, System.nanoTime()) == null;
        }
        if (id == lastPublication) {
            return false;
        }
        lastPublication = id;
        return true;
    }

    /**
     * Runs {@code deliver} for an item from {@code origin} that came on {@code channel} (a room's, a peer's or an
     * app's feed): at once, or on a Redis Cluster once what the same sender caused before it on other channels has
     * come ({@link ShardOrder}).
     */
    private void inOrder(ShardOrder.Origin origin, byte[] channel, Runnable deliver) {
        if (order == null || !origin.ordered()) {
            deliver.run();
        } else {
            order.arrived(origin, channel, deliver);
        }
    }

    /** Answers request {@code request} of node {@code node} with {@code count}. */
    private void answer(String node, String request, int count) {
        fire(() -> publishTo(Wire.nodeChannel(node), Wire.bytes("A\0" + request + '\0' + count)));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------------------------

    /** Publishes on a room, peer or node channel: sharded on a Redis Cluster. */
    private CompletionStage<Long> publishTo(byte[] channel, byte[] payload) {
        return sharded ? commands.spublish(channel, payload) : commands.publish(channel, payload);
    }

    private CompletionStage<Void> subscribeTo(byte[] channel) {
        if (!sharded) {
            return subscriptions.subscribe(channel);
        }
        return subscriptions.ssubscribe(channel).thenApply(done -> {
            order.subscribed(channel);
            return done;
        });
    }

    private CompletionStage<Void> unsubscribeFrom(byte[] channel) {
        if (!sharded) {
            return subscriptions.unsubscribe(channel);
        }
        order.unsubscribed(channel);
        return subscriptions.sunsubscribe(channel);
    }

    /** Sends a command whose answer nobody waits for, counting it if Redis does not take it. */
    private void fire(java.util.function.Supplier<? extends CompletionStage<?>> command) {
        try {
            command.get().whenComplete(this::counted);
        } catch (RuntimeException e) { // the request queue is full
            failedCommands.incrementAndGet();
        }
    }

    /** Runs a script by its SHA, and by its text if Redis does not have it (it restarted or flushed scripts). */
    private <T> CompletionStage<T> run(Scripts.Script script, ScriptOutputType type, byte[][] keys, byte[][] args) {
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

    private static Set<String> with(Set<String> nodes, String node) {
        Set<String> out = nodes != null ? nodes : ConcurrentHashMap.newKeySet();
        out.add(node);
        return out;
    }

    private static Set<String> without(Set<String> nodes, String node) {
        nodes.remove(node);
        return nodes.isEmpty() ? null : nodes;
    }

    private static String key(String a, String b) {
        return a + '\0' + b;
    }

    private static byte[][] keys(byte[]... keys) {
        return keys;
    }

    /** Script arguments: strings as UTF-8, bytes as they are. */
    private static byte[][] args(Object... args) {
        byte[][] out = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            out[i] = args[i] instanceof byte[] bytes ? bytes : Wire.bytes((String) args[i]);
        }
        return out;
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "RedisCluster[" + nodeId + " " + RedisSettings.redact(settings.uri()) + (sharded ? " cluster" : "")
                + "]";
    }
}
