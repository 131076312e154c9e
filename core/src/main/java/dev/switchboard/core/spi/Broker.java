package dev.switchboard.core.spi;

import java.util.concurrent.CompletionStage;

/**
 * Carries channel publications between the nodes of a cluster. A node delivers every publish to its own
 * subscribers itself and hands it to the broker for the others; the broker brings to each other node only the
 * publications of channels that node subscribed to (exactly or through a pattern), once per publication, in the
 * order each publishing node handed them over (per sender across channels: protocol.md §8.3). It never brings a
 * node's own publications back to it.
 *
 * <p>Subscriptions are per node, not per connection: the hub subscribes a channel when its first local subscriber
 * arrives and unsubscribes it when the last one leaves. Calls for one channel come in that order; the broker must
 * apply them in the order called.
 *
 * <p>Implementations: {@code MemoryBroker} (one process; the embedded default) and the Redis broker.
 */
public interface Broker {

    /** Hands {@code publication} to the other nodes with subscribers for its channel. Must not block. */
    void publish(Publication publication);

    /** How long {@link #publishCounted} waits for the other nodes' answers. */
    long COUNT_TIMEOUT_MILLIS = 2_000;

    /**
     * Like {@link #publish}, and completes with how many connections the other nodes handed it to (a REST publish
     * answers with the number). A node that does not answer within {@link #COUNT_TIMEOUT_MILLIS} is not counted.
     */
    CompletionStage<Integer> publishCounted(Publication publication);

    /**
     * Starts bringing publications of {@code channel} of {@code app}; {@code channel} may be a pattern
     * (auth.md §5.2), which brings every publication whose channel it matches. Completes once publications handed
     * to the broker by any node from then on are sure to arrive; completes exceptionally if that cannot be
     * promised now (the node is cut off), in which case the subscription is still kept and resumes on reconnect.
     */
    CompletionStage<Void> subscribe(String app, String channel);

    /**
     * Stops bringing publications of {@code channel}; a no-op if it was not subscribed. Completes once nothing
     * more of it arrives (the hub does not wait: it drops what arrives for a room it no longer has).
     */
    CompletionStage<Void> unsubscribe(String app, String channel);

    /** Where a node receives what other nodes publish. */
    interface Inbound {
        /**
         * A publication of another node for a channel this node subscribed to, in the order its node handed it
         * over; returns to how many connections it was handed. Called on the broker's thread; must not block.
         */
        int publication(Publication publication);
    }
}
