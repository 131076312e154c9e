package dev.switchboard.server;

import dev.switchboard.core.NodeSettings;
import dev.switchboard.core.auth.AppConfig;
import dev.switchboard.netty.NettyServerConfig;
import dev.switchboard.netty.TlsFiles;
import dev.switchboard.server.rest.Plan;
import dev.switchboard.server.rest.RestRateLimit;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A validated configuration: the listener, the node's tunables, the apps with their keys (auth.md §1), the REST
 * request limits, each app's usage plan, and metrics and health. Produced by {@link ConfigLoader}; immutable.
 * {@code overrides} are the settings given from outside the file ({@link ConfigOverrides}), applied again when
 * the file is reloaded. {@code broker} is the channel engine, fixed until a restart.
 */
public record SwitchboardConfig(NettyServerConfig listener, NodeSettings node, List<AppConfig> apps,
                                RestRateLimit restRateLimit, Map<String, Plan> plans, Path source, Path stateDir,
                                boolean demo, OpsConfig ops, Map<String, String> overrides,
                                BrokerConfig broker) {

    public SwitchboardConfig {
        apps = List.copyOf(apps);
        plans = Map.copyOf(plans);
        overrides = Map.copyOf(overrides);
    }

    /** The same configuration on another host and port (command-line overrides). */
    public SwitchboardConfig withAddress(String host, Integer port) {
        NettyServerConfig l = listener;
        return new SwitchboardConfig(l.withAddress(host == null ? l.host() : host, port == null ? l.port() : port), node, apps, restRateLimit, plans, source, stateDir, demo, ops, overrides, broker);
    }

    /** The same configuration with native TLS on {@code files} (null: plain). */
    public SwitchboardConfig withTls(TlsFiles files) {
        return new SwitchboardConfig(listener.withTls(files), node, apps, restRateLimit, plans, source, stateDir, demo,
                ops, overrides, broker);
    }

    /** The same configuration with the browser demo ({@code GET /}, {@code /demo/*}) on or off. */
    public SwitchboardConfig withDemo(boolean on) {
        return new SwitchboardConfig(listener, node, apps, restRateLimit, plans, source, stateDir, on, ops,
                overrides, broker);
    }
}
