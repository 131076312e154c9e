package dev.switchboard.server;

/**
 * The channel engine (docs/scale-out.md): {@code memory}, a node on its own, or {@code redis}, a node of a cluster
 * whose nodes share channels, presence, peers and limits through Redis.
 *
 * @param type {@code memory} or {@code redis}
 * @param uri {@code redis://[:password@]host:port[/db]} or {@code rediss://…}; null for memory; on a Redis Cluster
 *            one or more of its nodes, {@code redis://host1:port1,host2:port2}
 * @param cluster whether {@code uri} is a Redis Cluster (sharded pub/sub)
 * @param caFile with {@code rediss://}, a PEM file of the certificates to trust for Redis (a private CA); null for
 *               the JVM's trusted CAs
 * @param nodeId this node's identity among the nodes; null for one made up at start (host, pid, random)
 */
public record BrokerConfig(String type, String uri, boolean cluster, String caFile, String nodeId) {
    public static final BrokerConfig MEMORY = new BrokerConfig("memory", null, false, null, null);

    public boolean redis() {
        return type.equals("redis");
    }

    @Override
    public String toString() { // the URI may carry a password
        return "BrokerConfig[type=" + type
                + (uri == null ? "" : ", uri=" + dev.switchboard.redis.RedisSettings.redact(uri))
                + (cluster ? ", cluster" : "") + (caFile == null ? "" : ", caFile=" + caFile)
                + (nodeId == null ? "" : ", nodeId=" + nodeId) + "]";
    }
}
