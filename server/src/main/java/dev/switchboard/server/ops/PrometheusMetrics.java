package dev.switchboard.server.ops;

import dev.switchboard.core.Node;
import dev.switchboard.core.spi.Metrics;
import dev.switchboard.netty.NettyServer;
import dev.switchboard.protocol.CloseCode;
import dev.switchboard.protocol.ErrorCode;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@link Metrics} exported in the Prometheus text format (docs/operations.md lists every series). Counters of
 * events are incremented as the domain reports them, each app's on data points looked up once per app, and
 * without exemplars (an exemplar sample would read the tracing context on every publish). Levels (connections,
 * rooms, presence members, bytes queued, event loops, buffer memory) are read from the node and the listener when
 * scraped, so they cost nothing between scrapes. Label values are bounded: app ids from the configuration, the
 * codes of the spec, and "other" for a close code a client made up.
 */
public final class PrometheusMetrics implements Metrics {
    /** Close codes labelled by number; any other code a client sends is labelled "other". */
    private static final Set<Integer> KNOWN_CLOSE_CODES = Stream.concat(
            Stream.of(CloseCode.values()).map(CloseCode::code),
            Stream.of(1002, 1003, 1005, App.NO_CLOSE_FRAME, 1007, 1011)).collect(Collectors.toUnmodifiableSet());

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Counter admitted = counter("switchboard_connections_admitted",
            "WebSocket connections admitted (welcome sent)", "app");
    private final Counter refused = counter("switchboard_connections_refused",
            "WebSocket connections refused at admission, by close code (protocol.md 2.2)", "code");
    private final Counter closed = counter("switchboard_connections_closed",
            "Admitted connections that ended, by close code and by which side closed (1006: no Close frame)",
            "app", "code", "by");
    private final Counter errors = counter("switchboard_errors",
            "error frames sent to connections, by error code", "app", "code");
    private final Counter messages = counter("switchboard_messages",
            "Messages accepted: publish (WebSocket and REST) and direct send", "app", "kind");
    private final Counter deliveries = counter("switchboard_deliveries",
            "Messages enqueued for recipients (a publish to 100 subscribers counts 100)", "app");
    private final Counter relayed = counter("switchboard_cluster_publications",
            "Publications of other nodes of the cluster delivered here", "app");
    private final CounterDataPoint throttled = counter("switchboard_connect_throttled",
            "WebSocket upgrades answered 429 by the per-address connect throttle").labelValues();
    private final Counter rest = counter("switchboard_rest_requests",
            "REST control-plane requests, by endpoint and HTTP status (429 included)", "endpoint", "status");

    public PrometheusMetrics(String version) {
        JvmMetrics.builder().register(registry);
        Info info = Info.builder().name("switchboard_build_info").help("The running Switchboard")
                .labelNames("version").register(registry);
        info.setLabelValues(version);
    }

    /**
     * Registers the levels read at scrape time: the node's connections, rooms, presence and outbound queue, and
     * the listener's event loops (null until it is bound) and Netty's buffer memory.
     */
    public void watch(Node node, Supplier<NettyServer> listener) {
        GaugeWithCallback.builder().name("switchboard_connections_open").help("WebSocket connections open now")
                .callback(cb -> cb.call(node.connectionCount())).register(registry);
        GaugeWithCallback.builder().name("switchboard_app_connections").help("Open connections of each app")
                .labelNames("app")
                .callback(cb -> node.stats().forEach(s -> cb.call(s.connections(), s.appId()))).register(registry);
        GaugeWithCallback.builder().name("switchboard_rooms").help("Channels (subscription strings) with subscribers")
                .labelNames("app")
                .callback(cb -> node.stats().forEach(s -> cb.call(s.rooms(), s.appId()))).register(registry);
        GaugeWithCallback.builder().name("switchboard_presence_members")
                .help("Presence memberships: one per peer and room, however many connections the peer has there")
                .labelNames("app")
                .callback(cb -> node.stats().forEach(s -> cb.call(s.presenceMembers(), s.appId()))).register(registry);
        GaugeWithCallback.builder().name("switchboard_outbound_queued_bytes")
                .help("Bytes waiting in connection outboxes, counted against the node's outbound budget")
                .callback(cb -> cb.call(node.outboundQueuedBytes())).register(registry);
        CounterWithCallback.builder().name("switchboard_slow_consumer_closes")
                .help("Connections closed 1008: over their own outbox bound (own), or cut by the node's budget (budget)")
                .labelNames("reason")
                .callback(cb -> {
                    Node.SlowConsumerCloses closes = node.slowConsumerCloses();
                    cb.call(closes.slow(), "own");
                    cb.call(closes.cut(), "budget");
                }).register(registry);
        GaugeWithCallback.builder().name("switchboard_cluster_link_up")
                .help("1 while the node reaches the other nodes of its cluster (always 1 on its own)")
                .callback(cb -> cb.call(node.cluster().link().up() ? 1 : 0)).register(registry);
        CounterWithCallback.builder().name("switchboard_cluster_link_losses")
                .help("Times the node's link to the other nodes (Redis) broke")
                .callback(cb -> cb.call(node.cluster().link().losses())).register(registry);
        CounterWithCallback.builder().name("switchboard_cluster_failed_commands")
                .help("Publications, presence changes and counts the node could not hand to the other nodes")
                .callback(cb -> cb.call(node.cluster().link().failedCommands())).register(registry);
        GaugeWithCallback.builder().name("switchboard_draining").help("1 once the graceful drain has begun")
                .callback(cb -> cb.call(node.draining() ? 1 : 0)).register(registry);
        GaugeWithCallback.builder().name("switchboard_event_loop_pending_tasks")
                .help("Tasks waiting in each event loop's queue").labelNames("loop")
                .callback(cb -> eachLoop(listener, (i, loop) -> cb.call(loop.pendingTasks(), i))).register(registry);
        GaugeWithCallback.builder().name("switchboard_event_loop_lag_seconds")
                .help("How late each event loop ran its last scheduled probe (or how overdue the next one is)")
                .labelNames("loop")
                .callback(cb -> eachLoop(listener, (i, loop) -> cb.call(loop.lagNanos() / 1e9, i))).register(registry);
        GaugeWithCallback.builder().name("switchboard_netty_allocator_used_bytes")
                .help("Memory held by Netty's buffer allocator, pools included").labelNames("type")
                .callback(cb -> {
                    NettyServer.AllocatorMemory memory = NettyServer.allocatorMemory();
                    cb.call(memory.direct(), "direct");
                    cb.call(memory.heap(), "heap");
                }).register(registry);
    }

    private interface LoopVisitor {
        void visit(String index, NettyServer.LoopStats loop);
    }

    private static void eachLoop(Supplier<NettyServer> listener, LoopVisitor visitor) {
        NettyServer server = listener.get();
        if (server == null) {
            return;
        }
        List<NettyServer.LoopStats> loops = server.loops();
        for (int i = 0; i < loops.size(); i++) {
            visitor.visit(String.valueOf(i), loops.get(i));
        }
    }

    private Counter counter(String name, String help, String... labels) {
        return Counter.builder().name(name).help(help).labelNames(labels).withoutExemplars().register(registry);
    }

    /** Counts one REST request by its endpoint (a fixed set of names) and the status it was answered with. */
    public void restRequest(String endpoint, int status) {
        rest.labelValues(endpoint, String.valueOf(status)).inc();
    }

    /** Everything registered, in the Prometheus text format 0.0.4. */
    public byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The content type of {@link #scrape()}. */
    public String contentType() {
        return writer.getContentType();
    }

    @Override
    public App app(String appId) {
        return new AppCounters(appId);
    }

    @Override
    public void refused(CloseCode code) {
        refused.labelValues(String.valueOf(code.code())).inc();
    }

    @Override
    public void connectThrottled() {
        throttled.inc();
    }

    /** One app's data points, looked up once. */
    private final class AppCounters implements App {
        private final String appId;
        private final CounterDataPoint admittedHere;
        private final CounterDataPoint published;
        private final CounterDataPoint sent;
        private final CounterDataPoint delivered;
        private final CounterDataPoint fromOtherNodes;

        AppCounters(String appId) {
            this.fromOtherNodes = relayed.labelValues(appId);
            this.appId = appId;
            this.admittedHere = admitted.labelValues(appId);
            this.published = messages.labelValues(appId, "publish");
            this.sent = messages.labelValues(appId, "send");
            this.delivered = deliveries.labelValues(appId);
        }

        @Override
        public void admitted() {
            admittedHere.inc();
        }

        @Override
        public void closed(int code, boolean byClient) {
            closed.labelValues(appId, KNOWN_CLOSE_CODES.contains(code) ? String.valueOf(code) : "other",
                    byClient ? "client" : "server").inc();
        }

        @Override
        public void error(ErrorCode code) {
            errors.labelValues(appId, code.wire()).inc();
        }

        @Override
        public void published(int recipients) {
            published.inc();
            delivered.inc(recipients);
        }

        @Override
        public void relayed(int recipients) {
            fromOtherNodes.inc();
            delivered.inc(recipients);
        }

        @Override
        public void sent(int recipients) {
            sent.inc();
            delivered.inc(recipients);
        }
    }
}
