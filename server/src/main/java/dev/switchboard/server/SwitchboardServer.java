package dev.switchboard.server;

import dev.switchboard.core.Node;
import dev.switchboard.core.auth.Keyring;
import dev.switchboard.core.spi.Clock;
import dev.switchboard.netty.HttpRoutes;
import dev.switchboard.netty.NettyServer;
import dev.switchboard.netty.WheelScheduler;
import dev.switchboard.server.rest.RestApi;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Switchboard: the node, its timers and the listener, composed from a validated configuration.
 * {@link #close()} is the graceful drain of protocol.md §12.
 */
public final class SwitchboardServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SwitchboardServer.class);

    private final SwitchboardConfig config;
    private final Node node;
    private final WheelScheduler scheduler;
    private final NettyServer listener;
    private boolean closed;

    private SwitchboardServer(SwitchboardConfig config, Node node, WheelScheduler scheduler, NettyServer listener) {
        this.config = config;
        this.node = node;
        this.scheduler = scheduler;
        this.listener = listener;
    }

    /** Starts serving {@code config}; returns once the port is bound. */
    public static SwitchboardServer start(SwitchboardConfig config) throws InterruptedException {
        WheelScheduler scheduler = new WheelScheduler();
        Keyring keyring = new Keyring(config.apps());
        Node node = new Node(keyring, config.node(), Clock.SYSTEM, scheduler);
        try {
            HttpRoutes routes = new RestApi(node, keyring, config.restRateLimit(), config.plans(), Clock.SYSTEM);
            NettyServer listener = NettyServer.start(config.listener(), node, routes);
            return new SwitchboardServer(config, node, scheduler, listener);
        } catch (InterruptedException | RuntimeException e) {
            node.stop();
            scheduler.close();
            throw e;
        }
    }

    public int port() {
        return listener.port();
    }

    /** The REST base, e.g. {@code http://127.0.0.1:7070} (endpoints live under {@code /v1}). */
    public String httpOrigin() {
        return "http://" + hostForUrl() + ":" + port();
    }

    /** The origin clients are configured with, e.g. {@code ws://127.0.0.1:7070} (the SDK appends {@code /v1}). */
    public String origin() {
        return "ws://" + hostForUrl() + ":" + port();
    }

    private String hostForUrl() {
        String host = config.listener().host();
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
        log.info("event=drain_started connections={}", open);
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
        scheduler.close();
        log.info("event=drain_finished connections={} forced={}", open, left);
    }
}
