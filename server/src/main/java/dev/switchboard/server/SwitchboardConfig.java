package dev.switchboard.server;

import dev.switchboard.core.NodeSettings;
import dev.switchboard.core.auth.AppConfig;
import dev.switchboard.netty.NettyServerConfig;
import dev.switchboard.server.rest.Plan;
import dev.switchboard.server.rest.RestRateLimit;
import java.util.List;
import java.util.Map;

/**
 * A validated configuration: the listener, the node's tunables, the apps with their keys (auth.md §1), the REST
 * request limits and each app's usage plan. Produced by {@link ConfigLoader}; immutable.
 */
public record SwitchboardConfig(NettyServerConfig listener, NodeSettings node, List<AppConfig> apps,
                                RestRateLimit restRateLimit, Map<String, Plan> plans) {

    public SwitchboardConfig {
        apps = List.copyOf(apps);
        plans = Map.copyOf(plans);
    }

    /** The same configuration on another host and port (command-line overrides). */
    public SwitchboardConfig withAddress(String host, Integer port) {
        NettyServerConfig l = listener;
        return new SwitchboardConfig(new NettyServerConfig(host == null ? l.host() : host,
                port == null ? l.port() : port, l.ioThreads(), l.transport(), l.connectAttempts(), l.connectWindow(),
                l.exemptLoopback(), l.httpIdleTimeout()), node, apps, restRateLimit, plans);
    }
}
