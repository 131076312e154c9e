package dev.switchboard.redis;

import java.time.Duration;
import java.util.Objects;

/**
 * How a node reaches Redis and who it is among the nodes.
 *
 * @param uri {@code redis://[:password@]host:port[/db]} or {@code rediss://…} for TLS
 * @param nodeId this node's identity, unique among the live nodes
 * @param heartbeat how often the node heart-beats and looks for dead nodes
 * @param nodeTimeout how long a node may miss heartbeats before the others remove its entries
 * @param resyncDelay after a reconnect, how long to wait (for the other nodes to register again, should Redis
 *                    have lost everything) before listing every room afresh
 */
public record RedisSettings(String uri, String nodeId, Duration heartbeat, Duration nodeTimeout,
                            Duration resyncDelay) {
    public RedisSettings {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(nodeId, "nodeId");
        if (nodeId.isEmpty() || nodeId.chars().anyMatch(c -> c <= ' ' || c > '~')) {
            throw new IllegalArgumentException("node id must be printable ASCII without spaces: " + nodeId);
        }
    }

    /** The defaults: heartbeat every 3 s, dead after 9 s, resynchronise 3 s after a reconnect. */
    public static RedisSettings of(String uri, String nodeId) {
        return new RedisSettings(uri, nodeId, Duration.ofSeconds(3), Duration.ofSeconds(9), Duration.ofSeconds(3));
    }

    @Override
    public String toString() { // the URI may carry a password
        return "RedisSettings[uri=" + redact(uri) + ", nodeId=" + nodeId + "]";
    }

    /** {@code uri} with any password replaced by {@code ***}. */
    public static String redact(String uri) {
        return uri.replaceAll("(?<=://)([^@/]*)@", "***@");
    }
}
