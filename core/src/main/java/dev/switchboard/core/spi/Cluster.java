package dev.switchboard.core.spi;

/**
 * The channel engine a node runs on: its identity among the nodes and the five services through which nodes share
 * channels, presence, peers, counters and history. The in-memory engine ({@code MemoryCluster}) connects the nodes
 * of one process (one, by default); the Redis engine connects processes.
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

    Streams streams();

    /**
     * The state of this node's link to the others, for operators.
     *
     * @param up whether the node reaches the others now
     * @param losses times the link broke since start
     * @param failedCommands things this node could not hand to the others (publications, presence changes,
     *                       counters) since start: each is traffic the other nodes missed
     */
    record Link(boolean up, long losses, long failedCommands) {
        public static final Link LOCAL = new Link(true, 0, 0);
    }

    /** The link to the other nodes now; a standalone node's is always up. */
    default Link link() {
        return Link.LOCAL;
    }

    /** Starts delivering other nodes' traffic to this node. Called once, by the node. */
    void start(Broker.Inbound publications, PresenceStore.Listener presence, PeerRouter.Inbound peers);

    /** Leaves the cluster: this node's entries are removed at once and its connections to others closed. */
    @Override
    void close();
}
