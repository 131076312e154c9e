package dev.switchboard.core.cluster;

import dev.switchboard.core.spi.Broker;
import dev.switchboard.core.spi.Cluster;
import dev.switchboard.core.spi.ClusterCounters;
import dev.switchboard.core.spi.PeerRouter;
import dev.switchboard.core.spi.PresenceStore;
import dev.switchboard.core.spi.Publication;
import dev.switchboard.core.spi.Streams;
import dev.switchboard.protocol.Glob;
import dev.switchboard.protocol.RawJson;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.ToIntFunction;

/**
 * One node of a {@link MemoryBus}: the in-memory {@link Broker}, {@link PresenceStore}, {@link PeerRouter} and
 * {@link ClusterCounters}. What other nodes hand to this one runs on this node's own thread, in order.
 *
 * <p>{@link #standalone()} is a node alone on its bus, the embedded default: it has nobody to share with, so
 * {@link #shared()} is false and the node skips the bookkeeping altogether.
 */
public final class MemoryCluster implements Cluster, Broker, PresenceStore, PeerRouter, ClusterCounters, Streams {
    private final MemoryBus bus;
    private final String nodeId;
    private final boolean shared;
    /** key(app, channel) of exact subscriptions, and of pattern subscriptions with their compiled glob. */
    private final ConcurrentHashMap<String, Glob> subscriptions = new ConcurrentHashMap<>();
    /** The pattern subscriptions among them, for routing. */
    private final ConcurrentHashMap<String, Glob> patterns = new ConcurrentHashMap<>();
    private ExecutorService inboundThread;
    private volatile Broker.Inbound publications;
    private volatile PresenceStore.Listener presence;
    private volatile PeerRouter.Inbound peers;

    MemoryCluster(MemoryBus bus, String nodeId, boolean shared) {
        this.bus = bus;
        this.nodeId = nodeId;
        this.shared = shared;
    }

    /** A node on its own: the embedded default. */
    public static MemoryCluster standalone() {
        return new MemoryCluster(new MemoryBus(), "standalone", false);
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public boolean shared() {
        return shared;
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
    public synchronized void start(Broker.Inbound publications, PresenceStore.Listener presence,
                                   PeerRouter.Inbound peers) {
        if (inboundThread != null) {
            throw new IllegalStateException("already started");
        }
        this.publications = publications;
        this.presence = presence;
        this.peers = peers;
        this.inboundThread = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon()
                .name("memory-bus-" + nodeId).factory());
    }

    @Override
    public void close() {
        bus.leave(this);
        ExecutorService thread = inboundThread;
        if (thread != null) {
            thread.shutdown();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Broker
    // ---------------------------------------------------------------------------------------------------------

    @Override
    public void publish(Publication publication) {
        if (shared) {
            bus.publish(this, publication, (node, p) -> node.receive(p));
        }
    }

    @Override
    public CompletionStage<Integer> publishCounted(Publication publication) {
        if (!shared) {
            return MemoryBus.done(0);
        }
        List<CompletableFuture<Integer>> counts = new ArrayList<>();
        bus.publish(this, publication, (node, p) -> {
            CompletableFuture<Integer> count = new CompletableFuture<>();
            if (!node.onInboundThread(() -> count.complete(node.publications.publication(p)))) {
                count.complete(0);
            }
            counts.add(count);
        });
        return CompletableFuture.allOf(counts.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> counts.stream().mapToInt(CompletableFuture::join).sum());
    }

    @Override
    public CompletionStage<Void> subscribe(String app, String channel) {
        Glob glob = Glob.compile(channel);
        String key = MemoryBus.key(app, channel);
        subscriptions.put(key, glob);
        if (Glob.isPattern(channel)) {
            patterns.put(key, glob);
        }
        return MemoryBus.done(null);
    }

    @Override
    public CompletionStage<Void> unsubscribe(String app, String channel) {
        String key = MemoryBus.key(app, channel);
        subscriptions.remove(key);
        patterns.remove(key);
        return inboundDrained();
    }

    /** Completes once what was queued for this node's inbound thread so far has been handed over. */
    private CompletionStage<Void> inboundDrained() {
        CompletableFuture<Void> drained = new CompletableFuture<>();
        if (!onInboundThread(() -> drained.complete(null))) {
            drained.complete(null);
        }
        return drained;
    }

    /** Whether a publication to {@code channel} is for this node: subscribed exactly or by a matching pattern. */
    boolean wants(String app, String channel) {
        if (subscriptions.containsKey(MemoryBus.key(app, channel))) {
            return true;
        }
        String prefix = app + '\0';
        for (var pattern : patterns.entrySet()) {
            if (pattern.getKey().startsWith(prefix) && pattern.getValue().matches(channel)) {
                return true;
            }
        }
        return false;
    }

    /** Whether this node is subscribed to the subscription string {@code room} itself (its presence room). */
    boolean subscribed(String app, String room) {
        return subscriptions.containsKey(MemoryBus.key(app, room));
    }

    void receive(Publication publication) {
        onInboundThread(() -> publications.publication(publication));
    }

    void receive(PresenceStore.Delta delta) {
        onInboundThread(() -> presence.delta(delta));
    }

    /** Runs {@code task} on this node's inbound thread; false if the node has left. */
    private boolean onInboundThread(Runnable task) {
        ExecutorService thread = inboundThread;
        if (thread == null || thread.isShutdown()) {
            return false;
        }
        try {
            thread.execute(task);
            return true;
        } catch (java.util.concurrent.RejectedExecutionException closedMeanwhile) {
            return false;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // PresenceStore
    // ---------------------------------------------------------------------------------------------------------

    @Override
    public void add(String app, String room, String peerId, RawJson metadata) {
        if (shared) {
            bus.add(this, app, room, peerId, metadata);
        }
    }

    @Override
    public void remove(String app, String room, String peerId) {
        if (shared) {
            bus.remove(this, app, room, peerId);
        }
    }

    @Override
    public CompletionStage<Members> list(String app, String room) {
        return MemoryBus.done(shared ? bus.list(this, app, room) : Members.NONE);
    }

    // ---------------------------------------------------------------------------------------------------------
    // PeerRouter
    // ---------------------------------------------------------------------------------------------------------

    @Override
    public CompletionStage<Void> register(String app, String peerId) {
        if (shared) {
            bus.register(this, app, peerId);
        }
        return MemoryBus.done(null);
    }

    @Override
    public void unregister(String app, String peerId) {
        if (shared) {
            bus.unregister(this, app, peerId);
        }
    }

    @Override
    public CompletionStage<Integer> send(String app, String from, String peerId, byte[] frame) {
        List<MemoryCluster> holders = shared ? bus.holders(this, app, peerId) : List.of();
        for (MemoryCluster holder : holders) {
            holder.onInboundThread(() -> holder.peers.direct(app, peerId, frame));
        }
        return MemoryBus.done(holders.size());
    }

    @Override
    public CompletionStage<Integer> kick(String app, String peerId) {
        List<MemoryCluster> holders = shared ? bus.holders(this, app, peerId) : List.of();
        List<CompletableFuture<Integer>> closed = new ArrayList<>(holders.size());
        for (MemoryCluster holder : holders) {
            CompletableFuture<Integer> one = new CompletableFuture<>();
            if (!holder.onInboundThread(() -> one.complete(holder.peers.kick(app, peerId)))) {
                one.complete(0);
            }
            closed.add(one);
        }
        return CompletableFuture.allOf(closed.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> closed.stream().mapToInt(CompletableFuture::join).sum());
    }

    // ---------------------------------------------------------------------------------------------------------
    // ClusterCounters
    // ---------------------------------------------------------------------------------------------------------

    @Override
    public CompletionStage<Boolean> tryAcquire(String app, int cap) {
        return MemoryBus.done(bus.tryAcquire(this, app, cap));
    }

    @Override
    public void release(String app) {
        bus.release(this, app);
    }

    @Override
    public CompletionStage<Totals> report(String app, long periodStartMillis, int connections, long opened,
                                          long messages) {
        return MemoryBus.done(bus.report(this, app, periodStartMillis, connections, opened, messages));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Streams
    // ---------------------------------------------------------------------------------------------------------

    /** {@inheritDoc} Whether this node's copy comes back is known here, so {@code comesBack} is not needed. */
    @Override
    public CompletionStage<Integer> append(Publication publication, int size, long ttlMillis, boolean comesBack,
                                           boolean count, ToIntFunction<Publication> here) {
        CompletableFuture<Integer> own = new CompletableFuture<>();
        List<CompletableFuture<Integer>> others = new ArrayList<>();
        boolean[] comes = {false};
        bus.append(publication, size, ttlMillis, (node, positioned) -> {
            if (node == this) {
                comes[0] = true;
                handOver(own, () -> here.applyAsInt(positioned));
            } else if (count) {
                CompletableFuture<Integer> one = new CompletableFuture<>();
                node.handOver(one, () -> node.publications.publication(positioned));
                others.add(one);
            } else {
                node.receive(positioned);
            }
        });
        if (!comes[0]) {
            own.complete(0);
        }
        return own.thenCombine(CompletableFuture.allOf(others.toArray(CompletableFuture[]::new)),
                (mine, done) -> mine + others.stream().mapToInt(CompletableFuture::join).sum());
    }

    /** Completes {@code result} on the inbound thread with what {@code delivery} returns (0 if the node left). */
    private void handOver(CompletableFuture<Integer> result, java.util.function.IntSupplier delivery) {
        if (!onInboundThread(() -> {
            int delivered = 0;
            try {
                delivered = delivery.getAsInt();
            } finally {
                result.complete(delivered);
            }
        })) {
            result.complete(0);
        }
    }

    @Override
    public CompletionStage<Range> read(String app, String channel, String epoch, Long after, int limit) {
        return MemoryBus.done(bus.read(app, channel, epoch, after, limit));
    }

    @Override
    public void keepCursor(String app, String peerId, String channel, Cursor cursor) {
        bus.keepCursor(app, peerId, channel, cursor);
    }

    @Override
    public CompletionStage<Cursor> claimCursor(String app, String peerId, String channel, String epoch,
                                               long nowMillis) {
        return MemoryBus.done(bus.claimCursor(app, peerId, channel, epoch, nowMillis));
    }

    @Override
    public CompletionStage<Cursor> takeOver(String app, String peerId, String channel) {
        List<MemoryCluster> holders = shared ? bus.holders(this, app, peerId) : List.of();
        List<CompletableFuture<Cursor>> answers = new ArrayList<>(holders.size());
        for (MemoryCluster holder : holders) {
            CompletableFuture<Cursor> one = new CompletableFuture<>();
            if (!holder.onInboundThread(() -> one.complete(holder.peers.takeOver(app, peerId, channel)))) {
                one.complete(null);
            }
            answers.add(one);
        }
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(done -> {
            Cursor oldest = null;
            for (CompletableFuture<Cursor> answer : answers) {
                oldest = Streams.older(oldest, answer.join(), null);
            }
            return oldest;
        });
    }

    @Override
    public String toString() {
        return "MemoryCluster[" + nodeId + "]";
    }
}
