package dev.switchboard.server;

import dev.switchboard.core.NodeSettings;
import dev.switchboard.core.auth.AppConfig;
import dev.switchboard.netty.NettyServerConfig;
import java.util.List;

/**
 * A validated configuration: the listener, the node's tunables and the apps with their keys (auth.md §1).
 * Produced by {@link ConfigLoader}; immutable.
 */
public record SwitchboardConfig(NettyServerConfig listener, NodeSettings node, List<AppConfig> apps) {

    public SwitchboardConfig {
        apps = List.copyOf(apps);
    }

    /** The same configuration on another host and port (command-line overrides). */
    public SwitchboardConfig withAddress(String host, Integer port) {
        NettyServerConfig l = listener;
        return new SwitchboardConfig(new NettyServerConfig(host == null ? l.host() : host,
                port == null ? l.port() : port, l.ioThreads(), l.transport(), l.connectAttempts(), l.connectWindow(),
                l.exemptLoopback()), node, apps);
    }
}
