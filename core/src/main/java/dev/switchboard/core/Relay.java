package dev.switchboard.core;

import dev.switchboard.core.auth.ChannelRule;
import dev.switchboard.core.spi.Broker;
import dev.switchboard.core.spi.Clock;
import dev.switchboard.core.spi.Cluster;
import dev.switchboard.core.spi.PeerRouter;
import dev.switchboard.core.spi.PresenceStore;
import dev.switchboard.core.spi.Publication;
import dev.switchboard.core.spi.Streams;
import dev.switchboard.protocol.CloseCode;
import dev.switchboard.protocol.RawJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The broker-facing side of a node's hubs: hands what happens here to the other nodes of the {@link Cluster}, and
 * what they hand back to the right app's {@link Hub}. On a standalone node ({@link Cluster#shared()} false) every
 * outgoing step is skipped and nothing comes in.
 */
final class Relay implements Broker.Inbound, PresenceStore.Listener, PeerRouter.Inbound {
    private final Cluster cluster;
    /** App id → its live state on this node (the node's own map: apps come and go with reloads). */
    private final Map<String, Tenant> tenants;
    private final Clock clock;

    Relay(Cluster cluster, Map<String, Tenant> tenants, Clock clock) {
        this.cluster = cluster;
        this.tenants = tenants;
        this.clock = clock;
    }

    Cluster cluster() {
        return cluster;
    }

    boolean shared() {
        return cluster.shared();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Outgoing
    // ---------------------------------------------------------------------------------------------------------

    /**
     * Publishes to this node's subscribers (except {@code sender}, null for the REST plane) and hands the
     * publication to the other nodes.
     */
    Fanout publish(Tenant tenant, Session sender, String channel, String from, RawJson data, RawJson fromMetadata) {
        Fanout fanout = deliver(tenant, sender, channel, from, data, fromMetadata);
        if (cluster.shared()) {
            cluster.broker().publish(new Publication(tenant.id, channel, from, data, fromMetadata));
        }
        return fanout;
    }

    /**
     * A backend's publish (REST): delivered here and on the other nodes; completes with the number of connections
     * it was handed to on all of them.
     */
    CompletionStage<Integer> publishCounted(Tenant tenant, String channel, String from, RawJson data,
                                            RawJson fromMetadata) {
        ChannelRule.History history = cluster.shared() ? tenant.rule(channel).history() : null;
        if (history != null) {
            return append(tenant, null, channel, history, from, data, fromMetadata, true);
        }
        int here = deliver(tenant, null, channel, from, data, fromMetadata).delivered();
        if (!cluster.shared()) {
            return CompletableFuture.completedFuture(here);
        }
        return cluster.broker().publishCounted(new Publication(tenant.id, channel, from, data, fromMetadata))
                .handle((elsewhere, failure) -> here + (failure == null ? elsewhere : 0));
    }

    /**
     * Hands a publication to this node's subscribers; on a channel with history (a standalone node; a cluster's go
     * through {@link #append}), appends it to the channel's stream first and hands it out under the stream's lock,
     * so subscribers get a stream's messages in offset order and a resuming subscribe finds each one either in the
     * stream or live (docs/history.md).
     */
    private Fanout deliver(Tenant tenant, Session sender, String channel, String from, RawJson data,
                           RawJson fromMetadata) {
        ChannelRule.History history = cluster.shared() ? null : tenant.rule(channel).history();
        if (history == null) {
            return tenant.hub.publish(sender, channel, from, data, fromMetadata);
        }
        long now = clock.currentTimeMillis();
        History.Stream stream = tenant.history.lock(channel, history, now);
        try {
            long offset = stream.append(now, from, data, fromMetadata);
            return tenant.hub.publish(sender, channel, new Fanout(channel, from, data, fromMetadata, stream, offset));
        } finally {
            stream.lock.unlock();
        }
    }

    /**
     * On a cluster, a publish to a channel with history: appended to the store's stream, which brings it to every
     * node subscribed to the channel, this one too; here it is delivered (leaving {@code sender} out) when its copy
     * comes back, in the stream's order. Completes with the connections it was handed to here (and, if
     * {@code count}, elsewhere); exceptionally if the store did not take it.
     */
    CompletionStage<Integer> append(Tenant tenant, Session sender, String channel, ChannelRule.History history,
                                    String from, RawJson data, RawJson fromMetadata, boolean count) {
        return cluster.streams().append(new Publication(tenant.id, channel, from, data, fromMetadata),
                history.size(), history.ttl().toMillis(), tenant.hub.reaches(channel), count,
                positioned -> deliverCopy(tenant, sender, positioned));
    }

    /**
     * Hands a publication of a cluster's stream to this node's subscribers, leaving {@code sender} out: appended to
     * this node's copy of the stream and handed out under its lock, like a standalone node's own (a copy it has
     * already, arrived twice, is not delivered again). A publication past a gap in a loaded copy (messages the
     * node's link to the store lost) waits while the gap is read from the store ({@link #repair}). Returns to how
     * many connections it was handed (0 while it waits).
     */
    private int deliverCopy(Tenant tenant, Session sender, Publication publication) {
        String channel = publication.channel();
        ChannelRule.History history = tenant.rule(channel).history();
        if (history == null) { // this node's rules keep no history for it (a reload not applied everywhere yet)
            return tenant.hub.publish(sender, channel, publication.from(), publication.data(),
                    publication.fromMetadata()).delivered();
        }
        History.Stream stream = tenant.history.lockCopy(channel, history, publication.epoch(),
                clock.currentTimeMillis());
        try {
            if (stream.repairing != null) {
                stream.repairing.add(new Held(sender, publication));
                return 0;
            }
            if (stream.loaded && publication.offset() > stream.lastOffset() + 1) {
                stream.repairing = new ArrayList<>(List.of(new Held(sender, publication)));
                repair(tenant, stream);
                return 0;
            }
            return deliverLocked(tenant, stream, sender, publication);
        } finally {
            stream.lock.unlock();
        }
    }

    /** A publication that waits for a copy's repair, with the connection it is not delivered to. */
    record Held(Session sender, Publication publication) {
    }

    /** Appends a publication to {@code stream}, a copy, and hands it out. Stream lock held. */
    private int deliverLocked(Tenant tenant, History.Stream stream, Session sender, Publication publication) {
        if (!stream.appendAt(publication.offset(), clock.currentTimeMillis(), publication.from(), publication.data(),
                publication.fromMetadata())) {
            return 0;
        }
        return tenant.hub.publish(sender, stream.channel, new Fanout(stream.channel, publication.from(),
                publication.data(), publication.fromMetadata(), stream, publication.offset())).delivered();
    }

    /**
     * Reads from the store what a copy misses after its newest message (the store's link lost it, or the node is
     * catching up after a reconnect), and hands it out in order before the publications held meanwhile. Stream
     * lock held; {@code stream.repairing} set (the list of held publications, perhaps empty).
     */
    private void repair(Tenant tenant, History.Stream stream) {
        long after = stream.lastOffset();
        cluster.streams().read(tenant.id, stream.channel, stream.epoch, after, stream.rule.size())
                .whenComplete((range, failure) -> {
                    List<Held> held;
                    stream.lock.lock();
                    try {
                        held = stream.repairing;
                        stream.repairing = null;
                        if (!stream.dropped) {
                            long before = held.isEmpty() ? Long.MAX_VALUE : held.getFirst().publication().offset();
                            if (failure == null && range.epoch().equals(stream.epoch)) {
                                for (Streams.Entry entry : range.entries()) {
                                    if (entry.offset() < before) {
                                        deliverLocked(tenant, stream, null, new Publication(tenant.id,
                                                stream.channel, entry.from(), entry.data(), entry.fromMetadata(),
                                                entry.offset(), stream.epoch));
                                    }
                                }
                            }
                            for (Held one : held) {
                                deliverLocked(tenant, stream, one.sender(), one.publication());
                            }
                            return;
                        }
                    } finally {
                        stream.lock.unlock();
                    }
                    for (Held one : held) { // the copy was replaced meanwhile (a new epoch): deliver to the new one
                        deliverCopy(tenant, one.sender(), one.publication());
                    }
                });
    }

    /**
     * Hands a direct frame of {@code from} to {@code peerId}'s connections on other nodes; completes with how many
     * nodes.
     */
    CompletionStage<Integer> sendElsewhere(Tenant tenant, String from, String peerId, byte[] direct) {
        return cluster.shared() ? cluster.peers().send(tenant.id, from, peerId, direct)
                : CompletableFuture.completedFuture(0);
    }

    /** Closes {@code peerId}'s connections on other nodes with 4020; completes with how many were closed. */
    CompletionStage<Integer> kickElsewhere(Tenant tenant, String peerId) {
        return cluster.shared() ? cluster.peers().kick(tenant.id, peerId) : CompletableFuture.completedFuture(0);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Incoming
    // ---------------------------------------------------------------------------------------------------------

    @Override
    public int publication(Publication publication) {
        Tenant tenant = tenants.get(publication.app());
        if (tenant == null) {
            return 0;
        }
        int delivered = publication.inStream() ? deliverCopy(tenant, null, publication)
                : tenant.hub.publish(null, publication.channel(), publication.from(), publication.data(),
                        publication.fromMetadata()).delivered();
        tenant.metrics.relayed(delivered);
        return delivered;
    }

    @Override
    public void delta(PresenceStore.Delta delta) {
        Tenant tenant = tenants.get(delta.app());
        if (tenant != null) {
            tenant.hub.delta(delta);
        }
    }

    @Override
    public void reconnected(boolean storeLost) {
        for (Tenant tenant : tenants.values()) {
            tenant.hub.register();
            if (storeLost) {
                tenant.reportAgainInFull();
            }
        }
    }

    @Override
    public void resynchronize() {
        for (Tenant tenant : tenants.values()) {
            tenant.hub.resynchronize();
            for (History.Stream stream : tenant.history.loadedCopies(tenant.hub::hasRoom)) {
                stream.lock.lock();
                try {
                    if (stream.repairing == null && !stream.dropped) { // what the link lost, even if nothing follows
                        stream.repairing = new ArrayList<>();
                        repair(tenant, stream);
                    }
                } finally {
                    stream.lock.unlock();
                }
            }
        }
    }

    @Override
    public int direct(String app, String peerId, byte[] frame) {
        Tenant tenant = tenants.get(app);
        if (tenant == null) {
            return 0;
        }
        Session[] targets = tenant.hub.sessionsOf(peerId);
        for (Session target : targets) {
            target.deliver(frame);
        }
        return targets.length;
    }

    @Override
    public Streams.Cursor takeOver(String app, String peerId, String channel) {
        Tenant tenant = tenants.get(app);
        History.Stream stream = tenant == null ? null : tenant.history.lockExisting(channel);
        if (stream == null) {
            return null;
        }
        try {
            long oldest = Session.takeOver(tenant.hub.sessionsOf(peerId), stream, null);
            return oldest < 0 ? null : new Streams.Cursor(oldest, stream.epoch, Long.MAX_VALUE);
        } finally {
            stream.lock.unlock();
        }
    }

    @Override
    public int kick(String app, String peerId) {
        Tenant tenant = tenants.get(app);
        if (tenant == null) {
            return 0;
        }
        Session[] targets = tenant.hub.sessionsOf(peerId);
        for (Session target : targets) {
            target.close(CloseCode.ADMIN_DISCONNECT);
        }
        return targets.length;
    }
}
