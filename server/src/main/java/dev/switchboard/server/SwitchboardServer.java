package dev.switchboard.server;

import dev.switchboard.core.Node;
import dev.switchboard.core.auth.Keyring;
import dev.switchboard.core.cluster.MemoryCluster;
import dev.switchboard.core.spi.Clock;
import dev.switchboard.core.spi.Cluster;
import dev.switchboard.core.spi.Metrics;
import dev.switchboard.netty.HttpRoutes;
import dev.switchboard.netty.NettyServer;
import dev.switchboard.netty.NettyServerConfig;
import dev.switchboard.netty.TlsFiles;
import dev.switchboard.netty.WheelScheduler;
import dev.switchboard.redis.RedisCluster;
import dev.switchboard.redis.RedisSettings;
import dev.switchboard.server.demo.DemoRoutes;
import dev.switchboard.server.ops.Operations;
import dev.switchboard.server.ops.OpsListener;
import dev.switchboard.server.ops.OpsRoutes;
import dev.switchboard.server.ops.PrometheusMetrics;
import dev.switchboard.server.rest.RestApi;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Switchboard: the node, its timers, the listener and its state directory, composed from a validated
 * configuration. {@link #reload()} applies a changed file without a restart; {@link #close()} is the graceful drain
 * of protocol.md §12.
 */
public final class SwitchboardServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SwitchboardServer.class);

    private volatile SwitchboardConfig config;
    private final Node node;
    private final WheelScheduler scheduler;
    private final RestApi rest;
    private final NettyServer listener;
    private final StateDirectory state;
    private final OpsListener opsListener;
    private boolean closed;

    private SwitchboardServer(SwitchboardConfig config, Node node, WheelScheduler scheduler, RestApi rest,
                              NettyServer listener, StateDirectory state, OpsListener opsListener) {
        this.config = config;
        this.node = node;
        this.scheduler = scheduler;
        this.rest = rest;
        this.listener = listener;
        this.state = state;
        this.opsListener = opsListener;
    }

    /**
     * Starts serving {@code config}; returns once the port is bound. With a state directory, restores the message
     * counts kept there and saves them every few seconds. A separate metrics listener is bound first, so that its
     * {@code /readyz} says 503 until the main port accepts connections.
     *
     * @throws IOException if the state directory cannot be created or written
     */
    public static SwitchboardServer start(SwitchboardConfig config) throws InterruptedException, IOException {
        StateDirectory state = config.stateDir() == null ? null : StateDirectory.open(config.stateDir());
        WheelScheduler scheduler = new WheelScheduler();
        OpsConfig ops = config.ops();
        PrometheusMetrics metrics = ops.metrics() ? new PrometheusMetrics(Version.get()) : null;
        Cluster cluster = cluster(config.broker());
        Node node = new Node(new Keyring(config.apps()), config.node(), Clock.SYSTEM, scheduler,
                metrics == null ? Metrics.NONE : metrics, cluster);
        OpsListener opsListener = null;
        try {
            if (state != null) {
                state.restoreUsage(node);
            }
            Operations operations = new Operations(node, ops, metrics);
            if (ops.separateListener()) {
                opsListener = OpsListener.start(ops.metricsHost(), ops.metricsPort(), operations);
                log.atInfo().setMessage("ops_listening").addKeyValue("address", ops.metricsHost() + ":" + opsListener.port())
                        .addKeyValue("metrics", metrics == null ? "off" : "on").log();
            }
            RestApi rest = new RestApi(node, config.restRateLimit(), config.plans(), Clock.SYSTEM);
            HttpRoutes routes = new OpsRoutes(config.demo() ? new DemoRoutes(node, rest) : rest, operations,
                    !ops.separateListener());
            NettyServer listener = NettyServer.start(config.listener(), node, routes);
            operations.listening(listener);
            SwitchboardServer server = new SwitchboardServer(config, node, scheduler, rest, listener, state,
                    opsListener);
            if (state != null) {
                state.writePid();
                server.scheduleSave();
            }
            return server;
        } catch (InterruptedException | IOException | RuntimeException e) {
            node.stop();
            cluster.close();
            scheduler.close();
            if (opsListener != null) {
                opsListener.close();
            }
            throw e;
        }
    }

    /** The channel engine {@code broker} names: this node alone, or a node of a cluster on Redis. */
    private static Cluster cluster(BrokerConfig broker) {
        if (!broker.redis()) {
            return MemoryCluster.standalone();
        }
        String nodeId = broker.nodeId() != null ? broker.nodeId() : madeUpNodeId();
        return RedisCluster.connect(RedisSettings.of(broker.uri(), nodeId).onCluster(broker.cluster())
                .trusting(broker.caFile()));
    }

    /** A node id unique among live nodes without configuration: host, process id and a random suffix. */
    private static String madeUpNodeId() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "node";
        }
        return host.replaceAll("[^A-Za-z0-9._-]", "") + "-" + ProcessHandle.current().pid() + "-"
                + Integer.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
    }

    private void scheduleSave() {
        scheduler.schedule(() -> {
            synchronized (this) {
                if (closed) {
                    return;
                }
            }
            state.saveUsage(node);
            scheduleSave();
        }, StateDirectory.SAVE_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** The outcome of {@link #reload()}: applied with a summary, or refused with the file, field and reason. */
    public record ReloadResult(boolean applied, String message) {
    }

    /**
     * Re-reads the configuration file and applies its apps, keys, limits, suspension and plans without a restart
     * ({@link Node#reconfigure}). A file that does not validate changes nothing. Settings under {@code server:}
     * are read at start only; a changed one is named in the result. The outcome is logged and, with a state
     * directory, recorded for {@code switchboard reload}.
     */
    public synchronized ReloadResult reload() {
        ReloadResult result = reloadFromFile();
        if (result.applied()) {
            log.atInfo().setMessage("reload_applied").addKeyValue("result", result.message()).log();
        } else {
            log.atWarn().setMessage("reload_refused").addKeyValue("result", result.message())
                    .addKeyValue("effect", "the running configuration is unchanged").log();
        }
        if (state != null) {
            state.writeReload(result.applied(), result.message());
        }
        return result;
    }

    private ReloadResult reloadFromFile() {
        SwitchboardConfig current = config;
        if (current.source() == null) {
            return new ReloadResult(false, "reason=\"this server was not started from a file\"");
        }
        SwitchboardConfig next;
        try {
            next = ConfigLoader.load(current.source(), current.overrides(), System.getenv());
        } catch (ConfigException e) {
            return new ReloadResult(false, "file=" + e.source() + " field=" + (e.field().isEmpty() ? "-" : e.field())
                    + " reason=\"" + e.reason() + "\"");
        }
        String tls = "";
        TlsFiles nextTls = next.listener().tls();
        if (listener.tls() != null && nextTls != null) {
            try {
                tls = " tls=" + (listener.tls().reload(nextTls) ? "reloaded" : "unchanged");
            } catch (IllegalArgumentException e) {
                return new ReloadResult(false, "file=" + current.source() + " field=server.tls reason=\"" + e.getMessage() + "\"");
            }
        }
        Node.Reconfigured changed = node.reconfigure(new Keyring(next.apps()));
        rest.plans(next.plans());
        List<String> restartOnly = new ArrayList<>();
        if (!next.node().equals(current.node())) {
            restartOnly.add("server (node settings)");
        }
        if (!next.restRateLimit().equals(current.restRateLimit())) {
            restartOnly.add("server.restRateLimit");
        }
        NettyServerConfig a = next.listener();
        NettyServerConfig b = current.listener();
        if (a.ioThreads() != b.ioThreads() || !a.transport().equals(b.transport())
                || a.connectAttempts() != b.connectAttempts() || !a.connectWindow().equals(b.connectWindow())
                || a.exemptLoopback() != b.exemptLoopback() || !a.httpIdleTimeout().equals(b.httpIdleTimeout())) {
            restartOnly.add("server (listener settings)");
        }
        if (!current.broker().equals(next.broker())) {
            restartOnly.add("broker");
        }
        if ((a.tls() == null) != (b.tls() == null)) {
            restartOnly.add("server.tls (switching TLS on or off)");
        }
        // The files in use: the new ones when they were loaded above; TLS on or off waits for a restart.
        TlsFiles inUse = listener.tls() != null && nextTls != null ? nextTls : b.tls();
        config = new SwitchboardConfig(b.withTls(inUse), current.node(), next.apps(), current.restRateLimit(),
                next.plans(), current.source(), current.stateDir(), current.demo(), current.ops(), current.overrides(),
                current.broker());
        return new ReloadResult(true, "file=" + current.source() + " apps=" + next.apps().size()
                + " added=" + changed.appsAdded() + " removed=" + changed.appsRemoved()
                + " closed_revoked=" + changed.closedRevoked() + " closed_suspended=" + changed.closedSuspended() + tls
                + (restartOnly.isEmpty() ? "" : " needs_restart=\"" + String.join(", ", restartOnly) + "\""));
    }

    public int port() {
        return listener.port();
    }

    /** The port of the separate metrics listener, or -1 when the operator endpoints are on the main port. */
    public int opsPort() {
        return opsListener == null ? -1 : opsListener.port();
    }

    /** The REST base, e.g. {@code http://127.0.0.1:7070} or {@code https://…} (endpoints live under {@code /v1}). */
    public String httpOrigin() {
        return (tls() ? "https://" : "http://") + hostForUrl() + ":" + port();
    }

    /** The origin clients are configured with, e.g. {@code ws://127.0.0.1:7070} (the SDK appends {@code /v1}). */
    public String origin() {
        return (tls() ? "wss://" : "ws://") + hostForUrl() + ":" + port();
    }

    /** Whether the port speaks TLS. */
    public boolean tls() {
        return listener.tls() != null;
    }

    /** The host part of a URL that reaches this server; {@code localhost} for a wildcard address. */
    private String hostForUrl() {
        String host = config.listener().host();
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            return "localhost";
        }
        return host.contains(":") ? "[" + host + "]" : host;
    }

    public Node node() {
        return node;
    }

    public SwitchboardConfig config() {
        return config;
    }

    /**
     * Graceful shutdown (protocol.md §12): stop accepting, send {@code going_away} then close 1001 to every
     * connection, wait up to the drain timeout for them to go, then stop the event loops. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        int open = node.connectionCount();
        log.atInfo().setMessage("drain_started").addKeyValue("connections", open).log();
        listener.stopAccepting();
        node.drain();
        long deadline = System.nanoTime() + config.node().drainTimeout().toNanos();
        while (node.connectionCount() > 0 && System.nanoTime() < deadline) {
            try {
                TimeUnit.MILLISECONDS.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        int left = node.connectionCount();
        listener.close();
        node.stop();
        node.cluster().close();
        scheduler.close();
        if (opsListener != null) {
            opsListener.close();
        }
        if (state != null) {
            state.saveUsage(node);
            state.removePid();
        }
        log.atInfo().setMessage("drain_finished").addKeyValue("connections", open).addKeyValue("forced", left).log();
    }
}
