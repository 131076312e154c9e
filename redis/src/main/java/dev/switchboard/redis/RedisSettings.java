package dev.switchboard.redis;

import java.time.Duration;
import java.util.Objects;

/**
 * How a node reaches Redis and who it is among the nodes.
 *
 * @param uri {@code redis://[:password@]host:port[/db]} or {@code rediss://…} for TLS; on a Redis Cluster one or
 *            more of its nodes, {@code redis://host1:port1,host2:port2}
 * @param cluster whether {@code uri} is a Redis Cluster (sharded pub/sub, {@code SSUBSCRIBE}/{@code SPUBLISH})
 * @param caFile with {@code rediss://}, the PEM certificates to trust for Redis's certificate instead of the JVM's
 *               (a private CA); null for the JVM's
 * @param nodeId this node's identity, unique among the live nodes
 * @param heartbeat how often the node heart-beats and looks for dead nodes
 * @param nodeTimeout how long a node may miss heartbeats before the others remove its entries
 * @param resyncDelay after a reconnect, how long to wait (for the other nodes to register again, should Redis
 *                    have lost everything) before listing every room afresh
 */
public record RedisSettings(String uri, boolean cluster, String caFile, String nodeId, Duration heartbeat,
                            Duration nodeTimeout, Duration resyncDelay) {
    public RedisSettings {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(nodeId, "nodeId");
        if (nodeId.isEmpty() || nodeId.chars().anyMatch(c -> c <= ' ' || c > '~')) {
            throw new IllegalArgumentException("node id must be printable ASCII without spaces: " + nodeId);
        }
    }

    /** One Redis, with the defaults: heartbeat every 3 s, dead after 9 s, resynchronise 3 s after a reconnect. */
    public static RedisSettings of(String uri, String nodeId) {
        return new RedisSettings(uri, false, null, nodeId, Duration.ofSeconds(3), Duration.ofSeconds(9),
                Duration.ofSeconds(3));
    }

    /** These settings on a Redis Cluster ({@code true}) or one Redis. */
    public RedisSettings onCluster(boolean cluster) {
        return new RedisSettings(uri, cluster, caFile, nodeId, heartbeat, nodeTimeout, resyncDelay);
    }

    /** These settings trusting the PEM certificates in {@code caFile} for {@code rediss://} (null: the JVM's). */
    public RedisSettings trusting(String caFile) {
        return new RedisSettings(uri, cluster, caFile, nodeId, heartbeat, nodeTimeout, resyncDelay);
    }

    @Override
    public String toString() { // the URI may carry a password
        return "RedisSettings[uri=" + redact(uri) + (cluster ? ", cluster" : "") + ", nodeId=" + nodeId + "]";
    }

    /** {@code uri} with any password replaced by {@code ***}. */
    public static String redact(String uri) {
        return uri.replaceAll("(?<=://)([^@/]*)@", "***@");
    }
}
