package dev.switchboard.server;

/**
 * The channel engine (docs/scale-out.md): {@code memory}, a node on its own, or {@code redis}, a node of a cluster
 * whose nodes share channels, presence, peers and limits through Redis.
 *
 * @param type {@code memory} or {@code redis}
 * @param uri {@code redis://[:password@]host:port[/db]} or {@code rediss://…}; null for memory
 * @param nodeId this node's identity among the nodes; null for one made up at start (host, pid, random)
 */
public record BrokerConfig(String type, String uri, String nodeId) {
    public static final BrokerConfig MEMORY = new BrokerConfig("memory", null, null);

    public boolean redis() {
        return type.equals("redis");
    }

    @Override
    public String toString() { // the URI may carry a password
        return "BrokerConfig[type=" + type + (uri == null ? "" : ", uri=" + dev.switchboard.redis.RedisSettings.redact(uri))
                + (nodeId == null ? "" : ", nodeId=" + nodeId) + "]";
    }
}
