package dev.switchboard.testkit.contract;

import dev.switchboard.core.cluster.MemoryBus;
import dev.switchboard.core.spi.Cluster;
import dev.switchboard.redis.RedisCluster;
import dev.switchboard.redis.RedisSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Makes nodes of one engine that share a cluster, for the contract tests; closing it closes them all. */
abstract class Engine implements AutoCloseable {
    private static final AtomicInteger NODES = new AtomicInteger();
    private final List<Cluster> nodes = new ArrayList<>();

    /** A new node of this engine's cluster, started with {@code inbound}. */
    final Cluster join(Recorder inbound) {
        Cluster node = create("node-" + NODES.incrementAndGet());
        node.start(inbound, inbound, inbound);
        nodes.add(node);
        return node;
    }

    abstract Cluster create(String nodeId);

    @Override
    public void close() {
        for (Cluster node : nodes) {
            node.close();
        }
    }

    /** Nodes on one {@link MemoryBus}. */
    static final class Memory extends Engine {
        private final MemoryBus bus = new MemoryBus();

        @Override
        Cluster create(String nodeId) {
            return bus.join(nodeId);
        }
    }

    /** Nodes on one real Redis, or on a Redis Cluster ({@code cluster}). */
    static final class Redis extends Engine {
        private final String uri;
        private final boolean cluster;

        Redis(String uri, boolean cluster) {
            this.uri = uri;
            this.cluster = cluster;
        }

        @Override
        Cluster create(String nodeId) {
            return RedisCluster.connect(RedisSettings.of(uri, nodeId).onCluster(cluster));
        }
    }
}
