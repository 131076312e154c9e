package dev.switchboard.core;

import dev.switchboard.core.auth.Admission;
import dev.switchboard.core.auth.AppConfig;
import dev.switchboard.core.auth.ChannelRule;
import dev.switchboard.core.auth.Authenticator;
import dev.switchboard.core.auth.Identity;
import dev.switchboard.core.auth.Key;
import dev.switchboard.core.auth.Keyring;
import dev.switchboard.core.cluster.MemoryCluster;
import dev.switchboard.core.spi.Clock;
import dev.switchboard.core.spi.Cluster;
import dev.switchboard.core.spi.Metrics;
import dev.switchboard.core.spi.Scheduler;
import dev.switchboard.core.spi.Streams;
import dev.switchboard.core.spi.Transport;
import dev.switchboard.protocol.CloseCode;
import dev.switchboard.protocol.Limits;
import dev.switchboard.protocol.ServerFrames.PresencePeer;
import dev.switchboard.protocol.RawJson;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root of the domain on one node: admits connections (protocol.md §2.2), owns every app's
 * {@link Hub}, runs the keepalive sweep (§9.2) and the graceful drain (§12), and offers the operations of the
 * REST control plane (publish as a backend, list peers, kick, usage). In a {@link Cluster} those operations answer
 * for every node, through the node's {@link Relay}.
 */
public final class Node {
    private static final Logger log = LoggerFactory.getLogger(Node.class);

    private volatile Authenticator authenticator;
    private volatile Keyring keyring;
    private final NodeSettings settings;
    private final Clock clock;
    private final Scheduler scheduler;
    private final Metrics metrics;
    private final CloseLog closeLog;
    /** App id → live state; changed only by {@link #reconfigure}, which callers serialise. */
    private final Map<String, Tenant> tenants = new ConcurrentHashMap<>();
    private final Cluster cluster;
    private final Relay relay;
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    private final OutboundBudget budget;
    private final History.Budget historyBudget;
    private final LongAdder slowCloses = new LongAdder();
    private volatile boolean draining;
    private volatile boolean stopped;

    public Node(Keyring keyring, NodeSettings settings, Clock clock, Scheduler scheduler) {
        this(keyring, settings, clock, scheduler, Metrics.NONE);
    }

    /** A node that reports what happens to {@code metrics}. */
    public Node(Keyring keyring, NodeSettings settings, Clock clock, Scheduler scheduler, Metrics metrics) {
        this(keyring, settings, clock, scheduler, metrics, MemoryCluster.standalone());
    }

    /**
     * A node of {@code cluster}, which it starts receiving from at once. The caller owns the cluster and closes it
     * after {@link #stop}.
     */
    public Node(Keyring keyring, NodeSettings settings, Clock clock, Scheduler scheduler, Metrics metrics,
                Cluster cluster) {
        this.metrics = metrics;
        this.cluster = cluster;
        this.relay = new Relay(cluster, tenants, clock);
        this.authenticator = new Authenticator(keyring);
        this.keyring = keyring;
        this.settings = settings;
        this.budget = new OutboundBudget(settings.outboundBudgetBytes());
        this.historyBudget = new History.Budget(settings.historyBudgetBytes());
        this.clock = clock;
        this.scheduler = scheduler;
        this.closeLog = new CloseLog(clock);
        for (AppConfig app : keyring.apps()) {
            tenants.put(app.id(), newTenant(app));
        }
        scheduleSweep();
        if (cluster.shared()) {
            cluster.start(relay, relay, relay);
            scheduleReport();
        }
    }

    /** The outcome of a connection attempt that completed the WebSocket upgrade. */
    public sealed interface Opening {
        /** Admitted: {@code welcome} is already queued; feed inbound frames to the session. */
        record Opened(Session session) implements Opening {
        }

        /** Refused: close the socket with this code and reason and send nothing else. */
        record Refused(CloseCode code, String reason) implements Opening {
        }

        /**
         * Decided by the cluster (an app with a connection cap): the outcome follows on the connection's I/O
         * thread; read nothing from the connection until then.
         */
        record Deferred(CompletionStage<Opening> outcome) implements Opening {
        }
    }

    /**
     * Runs the admission checks of protocol.md §2.2 in order — credential (4001), expiry (4002), suspension
     * (4012), connection cap (4010) — and on success creates the session and queues its {@code welcome}.
     *
     * @param token the percent-decoded {@code ?token=} value, or null
     * @param key the percent-decoded {@code ?key=} value, or null
     * @param origin the {@code Origin} header, or null
     */
    public Opening open(String token, String key, String origin, Transport transport) {
        if (draining) {
            return refuse(CloseCode.GOING_AWAY, CloseCode.GOING_AWAY.reason(), null, transport);
        }
        Admission admission = authenticator.admit(token, key, origin, clock.currentTimeMillis());
        if (admission instanceof Admission.Refused refused) {
            return refuse(refused.code(), refused.reason(), null, transport);
        }
        Identity identity = ((Admission.Admitted) admission).identity();
        Tenant tenant = tenants.get(identity.app().id());
        if (tenant == null) { // the app was removed by a reload racing this admission
            return refuse(CloseCode.INVALID_TOKEN, "invalid key", null, transport);
        }
        if (tenant.config().suspended()) {
            return refuse(CloseCode.ACCOUNT_SUSPENDED, CloseCode.ACCOUNT_SUSPENDED.reason(), tenant.id, transport);
        }
        if (!tenant.tryAdmit()) {
            return refuse(CloseCode.OVER_CONCURRENT_LIMIT, CloseCode.OVER_CONCURRENT_LIMIT.reason(), tenant.id,
                    transport);
        }
        if (cluster.shared()) {
            return new Opening.Deferred(joinCluster(tenant, identity, transport));
        }
        return admit(tenant, identity, transport, false);
    }

    /**
     * Admission in a cluster: the app's connection cap is checked over all nodes (when it has one) and the peer is
     * registered with the router before its welcome, so a send from another node finds it as soon as it is told
     * it is connected. Where the cluster cannot be asked, this node's own count decides. Ends on the connection's
     * I/O thread.
     */
    private CompletionStage<Opening> joinCluster(Tenant tenant, Identity identity, Transport transport) {
        Integer cap = tenant.config().limits().maxConcurrentConnections();
        CompletableFuture<Boolean> slot = cap == null ? CompletableFuture.completedFuture(null)
                : cluster.counters().tryAcquire(tenant.id, cap).toCompletableFuture().exceptionally(failure -> {
                    log.atWarn().setMessage("cluster_admission_unavailable").addKeyValue("app", tenant.id)
                            .addKeyValue("reason", String.valueOf(failure)).log();
                    return null;
                });
        CompletableFuture<Void> routed = tenant.hub.reservePeer(identity.peerId()).toCompletableFuture()
                .exceptionally(failure -> null); // registered again when the link is back
        return slot.thenCombine(routed, (taken, ignored) -> taken).thenApplyAsync(taken -> {
            if (Boolean.FALSE.equals(taken)) {
                tenant.releaseSlot();
                tenant.hub.releasePeer(identity.peerId());
                return refuse(CloseCode.OVER_CONCURRENT_LIMIT, CloseCode.OVER_CONCURRENT_LIMIT.reason(), tenant.id,
                        transport);
            }
            return admit(tenant, identity, transport, Boolean.TRUE.equals(taken));
        }, transport::execute);
    }

    /** Creates an admitted session and queues its welcome; {@code clusterSlot} if the cluster counted it. */
    private Opening admit(Tenant tenant, Identity identity, Transport transport, boolean clusterSlot) {
        if (draining) {
            tenant.releaseSlot();
            if (cluster.shared()) {
                tenant.hub.releasePeer(identity.peerId());
            }
            if (clusterSlot) {
                cluster.counters().release(tenant.id);
            }
            return refuse(CloseCode.GOING_AWAY, CloseCode.GOING_AWAY.reason(), tenant.id, transport);
        }
        Session session = new Session(this, tenant, identity, transport, clusterSlot);
        sessions.add(session);
        // welcome first (§2.3): only then may other connections find this one for a send or a kick.
        session.start();
        tenant.hub.addPeer(session);
        tenant.metrics.admitted();
        log.atDebug().setMessage("open").addKeyValue("app", tenant.id).addKeyValue("peer", identity.peerId())
                .addKeyValue("remote", transport.remoteAddress()).log();
        return new Opening.Opened(session);
    }

    /** A refusal, counted and logged (the credential never is); {@code appId} is null where no app is known. */
    private Opening refuse(CloseCode code, String reason, String appId, Transport transport) {
        metrics.refused(code);
        closeLog.refused(code.code(), reason, appId, transport.remoteAddress());
        return new Opening.Refused(code, reason);
    }

    /** Called once by a session that has left its rooms: drop it from the peer index and free its slot. */
    void forget(Session session, Tenant tenant, boolean clusterSlot) {
        if (sessions.remove(session)) {
            tenant.hub.removePeer(session);
            tenant.releaseSlot();
            if (cluster.shared()) {
                tenant.hub.releasePeer(session.peerId());
            }
            if (clusterSlot) {
                cluster.counters().release(tenant.id);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Control plane
    // ---------------------------------------------------------------------------------------------------------

    /** The result of a backend publish. */
    public record Delivery(int delivered, boolean overQuota) {
    }

    /**
     * Publishes as a backend (REST, rest-api.md §4): delivered like a peer publish, with no sender connection to
     * exclude, counted against the app's message quota; completes with how many connections on every node got it.
     */
    public CompletionStage<Delivery> publish(String appId, String channel, String from, RawJson data,
                                             RawJson fromMetadata) {
        Tenant tenant = tenant(appId);
        if (!tenant.countMessage()) {
            return CompletableFuture.completedFuture(new Delivery(0, true));
        }
        return relay.publishCounted(tenant, channel, from, data, fromMetadata).thenApply(delivered -> {
            tenant.metrics.published(delivered);
            return new Delivery(delivered, false);
        });
    }

    /**
     * The presence members of one exact subscription string (rest-api.md §3), on every node. In a cluster: this
     * node's members and the other nodes' entries in the presence store, which a change reaches one hop sooner than
     * it reaches the other nodes' rooms (a backend that learnt of a leave through a client on one node and asks
     * another must not still see the peer there), sorted by peerId so that every node answers alike.
     */
    public CompletionStage<List<PresencePeer>> peers(String appId, String channel) {
        Tenant tenant = tenant(appId);
        if (!cluster.shared()) {
            List<PresencePeer> here = tenant.hub.members(channel);
            return CompletableFuture.completedFuture(here == null ? List.of() : here);
        }
        List<PresencePeer> local = tenant.hub.localMembers(channel);
        return cluster.presence().list(appId, channel).thenApply(members -> {
            Map<String, PresencePeer> byPeer = new LinkedHashMap<>();
            for (PresencePeer peer : local) {
                byPeer.put(peer.peerId(), peer);
            }
            for (var member : members.members()) {
                byPeer.putIfAbsent(member.peerId(), new PresencePeer(member.peerId(), member.metadata()));
            }
            // the same order from every node (rest-api.md leaves it open): join order is known per node only
            return byPeer.values().stream().sorted(Comparator.comparing(PresencePeer::peerId)).toList();
        });
    }

    /**
     * The app's subscription strings that have subscribers now, with their presence members: a snapshot for the
     * demo dashboard, taken room by room (each under its own lock), so not one atomic picture of the app.
     */
    public SortedMap<String, List<PresencePeer>> channels(String appId) {
        Hub hub = tenant(appId).hub;
        SortedMap<String, List<PresencePeer>> channels = new TreeMap<>();
        for (String name : hub.roomNames()) {
            List<PresencePeer> members = hub.members(name);
            if (members != null) {
                channels.put(name, members);
            }
        }
        return channels;
    }

    /**
     * Up to {@code limit} messages of {@code channel}'s history after offset {@code since} of epoch {@code epoch}
     * (null: the newest {@code limit}; an epoch null or the stream's own), oldest first; empty when the channel has
     * no history (its rules have none). On a cluster read from the store, which every node shares.
     */
    public CompletionStage<Optional<HistoryPage>> history(String appId, String channel, Long since, String epoch,
                                                          int limit) {
        Tenant tenant = tenant(appId);
        ChannelRule.History rule = tenant.rule(channel).history();
        if (rule == null) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        if (cluster.shared()) {
            return cluster.streams().read(appId, channel, epoch, since, since == null ? limit : limit + 1)
                    .thenApply(range -> Optional.of(page(channel, range, since, epoch, limit)));
        }
        long now = clock.currentTimeMillis();
        History.Stream stream = tenant.history.lock(channel, rule, now);
        try {
            boolean sameEpoch = epoch == null || epoch.equals(stream.epoch);
            List<Streams.Entry> entries = since == null ? stream.newest(limit, now)
                    : stream.after(sameEpoch ? since : 0, limit + 1, now);
            return CompletableFuture.completedFuture(Optional.of(page(channel, new Streams.Range(stream.epoch,
                    stream.lastOffset(), stream.firstOffset(), entries), since, epoch, limit)));
        } finally {
            stream.lock.unlock();
        }
    }

    /** A history page of what a read of {@code limit} (plus one, after {@code since}, to tell there is more) found. */
    private static HistoryPage page(String channel, Streams.Range range, Long since, String epoch, int limit) {
        boolean sameEpoch = epoch == null || epoch.equals(range.epoch());
        boolean missed = since != null && (!sameEpoch || since < range.firstOffset() - 1);
        boolean more = since != null && range.entries().size() > limit;
        List<Streams.Entry> messages = range.entries().subList(0, Math.min(limit, range.entries().size()));
        return new HistoryPage(channel, range.epoch(), range.lastOffset(), List.copyOf(messages), more, missed);
    }

    /** Closes every connection of {@code peerId} in the app, on every node, with 4020; completes with how many. */
    public CompletionStage<Integer> kick(String appId, String peerId) {
        Tenant tenant = tenant(appId);
        int here = relay.kick(appId, peerId);
        return relay.kickElsewhere(tenant, peerId).thenApply(elsewhere -> here + elsewhere);
    }

    public Usage usage(String appId) {
        return tenant(appId).usage();
    }

    public Optional<AppConfig> app(String appId) {
        Tenant tenant = tenants.get(appId);
        return tenant == null ? Optional.empty() : Optional.of(tenant.config());
    }

    private Tenant newTenant(AppConfig app) {
        return new Tenant(app, settings, clock.currentTimeMillis(), metrics.app(app.id()), cluster, historyBudget,
                scheduler, clock);
    }

    private Tenant tenant(String appId) {
        Tenant tenant = tenants.get(appId);
        if (tenant == null) {
            throw new IllegalArgumentException("unknown app " + appId);
        }
        return tenant;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Reload
    // ---------------------------------------------------------------------------------------------------------

    /** What a {@link #reconfigure} changed, for the operator's log. */
    public record Reconfigured(List<String> appsAdded, List<String> appsRemoved, int closedRevoked,
                               int closedSuspended) {
    }

    /**
     * Applies a new set of apps and keys without a restart. New connections are admitted against {@code next} from
     * now on; limits, rates and quotas of kept apps apply to their open connections at once (counters are kept).
     * Open connections whose key is gone, disabled or (for a JWT) has a new signing secret close with 4001, those of
     * an app that is now suspended with 4012, and those of a removed app with 4001. A kept key's narrowed patterns
     * or actions apply to new connections only: a session keeps what it was admitted with until it reconnects.
     * Callers serialise reloads.
     */
    public Reconfigured reconfigure(Keyring next) {
        List<String> added = new ArrayList<>();
        for (AppConfig app : next.apps()) {
            Tenant tenant = tenants.get(app.id());
            if (tenant == null) {
                tenants.put(app.id(), newTenant(app));
                added.add(app.id());
            } else {
                tenant.reconfigure(app);
            }
        }
        List<String> removed = new ArrayList<>();
        for (String id : tenants.keySet()) {
            if (next.app(id).isEmpty()) {
                removed.add(id);
            }
        }
        this.keyring = next;
        this.authenticator = new Authenticator(next);
        int revoked = 0;
        int suspended = 0;
        for (Session session : sessions) {
            Tenant tenant = session.tenant();
            if (removed.contains(tenant.id) || isRevoked(session.identity().key(), next)) {
                session.close(CloseCode.INVALID_TOKEN);
                revoked++;
            } else if (tenant.config().suspended()) {
                session.close(CloseCode.ACCOUNT_SUSPENDED);
                suspended++;
            }
        }
        for (String id : removed) {
            tenants.remove(id);
        }
        return new Reconfigured(List.copyOf(added), List.copyOf(removed), revoked, suspended);
    }

    /** True if {@code key} no longer admits connections in {@code next}: gone, disabled, moved or re-secreted. */
    private static boolean isRevoked(Key key, Keyring next) {
        Optional<Key> now = switch (key.config().type()) {
            case PUBLISHABLE -> next.publishable(key.config().id());
            case SECRET -> next.secret(key.config().id());
        };
        return now.isEmpty() || !now.get().app().id().equals(key.app().id())
                || !Objects.equals(now.get().config().secret(), key.config().secret());
    }

    /** The keyring new connections are admitted with. */
    public Keyring keyring() {
        return keyring;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Message quota persistence
    // ---------------------------------------------------------------------------------------------------------

    /** The message count of each app's current period, for persisting across restarts. */
    public List<Usage> usages() {
        return tenants.values().stream().map(Tenant::usage).toList();
    }

    /** Restores a persisted message count of {@code appId}; ignored if it belongs to an older period. */
    public void restoreMessagesUsed(String appId, long periodStartMillis, long used) {
        Tenant tenant = tenants.get(appId);
        if (tenant != null) {
            tenant.restore(periodStartMillis, used);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Lifecycle
    // ---------------------------------------------------------------------------------------------------------

    /**
     * Starts the graceful drain of protocol.md §12: refuses new connections, silences presence deltas (so nothing
     * lands between a connection's {@code going_away} and its close), sends every open connection
     * {@code going_away} and closes it with 1001 once that frame is flushed.
     */
    public void drain() {
        draining = true;
        for (Tenant tenant : tenants.values()) {
            tenant.hub.silence();
        }
        for (Session session : sessions) {
            session.goAway(Limits.GOING_AWAY_RETRY_AFTER_MS);
        }
    }

    /** Stops the keepalive sweep; call after the transport is closed. */
    public void stop() {
        stopped = true;
    }

    public int connectionCount() {
        return sessions.size();
    }

    /** Whether the graceful drain has begun: new connections are refused from then on. */
    public boolean draining() {
        return draining;
    }

    /** Where this node reports what happens (also for the transport's own refusals). */
    public Metrics metrics() {
        return metrics;
    }

    /** The levels of one app on this node now, for an exporter to read when scraped. */
    public record AppStats(String appId, int connections, int rooms, long presenceMembers) {
    }

    /** Every app's levels now; each number is read without a lock, so they are not one atomic picture. */
    public List<AppStats> stats() {
        return tenants.values().stream().map(t -> new AppStats(t.id, t.localConnections(), t.hub.roomCount(),
                t.hub.presenceMembers())).toList();
    }

    public NodeSettings settings() {
        return settings;
    }

    Clock clock() {
        return clock;
    }

    OutboundBudget budget() {
        return budget;
    }

    /**
     * Connections closed with 1008 since start: {@code slow} for one over its own outbox bound, {@code cut} for
     * those the node's outbound budget closed.
     */
    public record SlowConsumerCloses(long slow, long cut) {
    }

    /** What waits in this node's outboxes now, in whole steps of 64 KiB per outbox (queue nodes included). */
    public long outboundQueuedBytes() {
        return budget.used();
    }

    public SlowConsumerCloses slowConsumerCloses() {
        return new SlowConsumerCloses(slowCloses.sum(), budget.cuts());
    }

    void countSlowConsumerClose() {
        slowCloses.increment();
    }

    Scheduler scheduler() {
        return scheduler;
    }

    CloseLog closeLog() {
        return closeLog;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Keepalive
    // ---------------------------------------------------------------------------------------------------------

    /** This node's identity among the nodes of its cluster. */
    public String nodeId() {
        return cluster.nodeId();
    }

    Relay relay() {
        return relay;
    }

    /** The channel engine this node runs on (its owner closes it after {@link #stop}). */
    public Cluster cluster() {
        return cluster;
    }

    /** Reports every app's counts to the cluster once a second, and takes its totals back. */
    private void scheduleReport() {
        if (stopped) {
            return;
        }
        scheduler.schedule(() -> {
            try {
                for (Tenant tenant : tenants.values()) {
                    tenant.report();
                }
            } catch (RuntimeException e) {
                log.atError().setMessage("cluster_report_failed").setCause(e).log();
            } finally {
                scheduleReport();
            }
        }, REPORT_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** How often a node of a cluster reports its usage counts (and learns the cluster's). */
    static final long REPORT_INTERVAL_MILLIS = 1_000;

    private void scheduleSweep() {
        if (stopped) {
            return;
        }
        long tick = Math.clamp(Math.min(settings.pingInterval().toMillis(), settings.pingGrace().toMillis()) / 4,
                10, 1000);
        scheduler.schedule(this::sweep, tick, TimeUnit.MILLISECONDS);
    }

    /**
     * Pings every connection once per interval and aborts those silent for the grace period after a ping
     * (protocol.md §9.2). One pass over all sessions per tick instead of one timer per connection.
     */
    private void sweep() {
        try {
            long nowMillis = clock.currentTimeMillis();
            for (Tenant tenant : tenants.values()) {
                tenant.roll(nowMillis);
                tenant.history.sweep(nowMillis, tenant.hub::hasRoom);
                tenant.cursors.sweep(nowMillis);
            }
            for (Tenant tenant : tenants.values()) {
                tenant.history.trimToBudget();
            }
            closeLog.summarise();
            long now = clock.nanoTime();
            long interval = settings.pingInterval().toNanos();
            long grace = settings.pingGrace().toNanos();
            for (Session session : sessions) {
                if (session.isClosing()) {
                    continue; // its Close is out or on the way; the close handshake bounds how long it lingers
                }
                long sent = session.pingSentNanos;
                if (sent != 0) {
                    if (session.lastInboundNanos - sent > 0) {
                        session.pingSentNanos = 0;
                    } else if (now - sent >= grace) {
                        log.atDebug().setMessage("dead_connection").addKeyValue("app", session.appId())
                                .addKeyValue("peer", session.peerId()).log();
                        session.abort();
                        continue;
                    }
                }
                if (now - session.nextPingNanos >= 0) {
                    session.nextPingNanos = now + interval;
                    if (session.pingSentNanos == 0) {
                        session.pingSentNanos = now;
                    }
                    session.transport().ping();
                }
            }
        } catch (RuntimeException e) {
            log.atError().setMessage("sweep_failed").setCause(e).log();
        } finally {
            scheduleSweep();
        }
    }
}
