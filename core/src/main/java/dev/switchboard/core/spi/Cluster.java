package dev.switchboard.core.spi;

/**
 * The channel engine a node runs on: its identity among the nodes and the four services through which nodes share
 * channels, presence, peers and counters. The in-memory engine ({@code MemoryCluster}) connects the nodes of one
 * process (one, by default); the Redis engine connects processes.
 */
public interface Cluster extends AutoCloseable {

    /** This node's identity, unique among the live nodes. */
    String nodeId();

    /** Whether other nodes may exist; false lets a single node skip the bookkeeping only others would read. */
    boolean shared();

    Broker broker();

    PresenceStore presence();

    PeerRouter peers();

    ClusterCounters counters();

    /** Starts delivering other nodes' traffic to this node. Called once, by the node. */
    void start(Broker.Inbound publications, PresenceStore.Listener presence, PeerRouter.Inbound peers);

    /** Leaves the cluster: this node's entries are removed at once and its connections to others closed. */
    @Override
    void close();
}
