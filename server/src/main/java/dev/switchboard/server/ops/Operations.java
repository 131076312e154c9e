package dev.switchboard.server.ops;

import dev.switchboard.core.Node;
import dev.switchboard.netty.HttpRoutes.HttpReply;
import dev.switchboard.netty.NettyServer;
import dev.switchboard.server.OpsConfig;
import dev.switchboard.server.rest.RestError;
import dev.switchboard.server.rest.RestProblem;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * The operator's endpoints, wherever they are served (the main port or a listener of their own):
 * {@code /readyz} (this node should get traffic) and {@code /metrics}; {@code /healthz} is the REST plane's
 * ({@link dev.switchboard.server.rest.RestApi#health}).
 */
public final class Operations {
    private final Node node;
    private final OpsConfig config;
    private final PrometheusMetrics metrics;
    private volatile NettyServer listener;

    /** {@code metrics} is null when they are switched off. */
    public Operations(Node node, OpsConfig config, PrometheusMetrics metrics) {
        this.node = node;
        this.config = config;
        this.metrics = metrics;
        if (metrics != null) {
            metrics.watch(node, () -> listener);
        }
    }

    /** The main listener, once it is bound: until then the node is not ready. */
    public void listening(NettyServer server) {
        this.listener = server;
    }

    /**
     * 200 while the node takes traffic; 503 with the reasons while the listener is not bound (or closed by a
     * drain), while the node drains, or while an event loop runs later than {@code health.maxEventLoopLag}.
     */
    public HttpReply ready() {
        List<String> reasons = new ArrayList<>();
        NettyServer server = listener;
        if (server == null || !server.listening()) {
            reasons.add("the listener is not accepting connections");
        }
        if (node.draining()) {
            reasons.add("draining for shutdown");
        }
        if (server != null) {
            long limit = config.maxEventLoopLag().toNanos();
            long worst = server.loops().stream().mapToLong(NettyServer.LoopStats::lagNanos).max().orElse(0);
            if (worst > limit) {
                reasons.add(String.format("an event loop is %d ms late (limit %d ms)", worst / 1_000_000,
                        limit / 1_000_000));
            }
        }
        if (reasons.isEmpty()) {
            return new HttpReply(200, "{\"status\":\"ready\"}".getBytes(StandardCharsets.UTF_8));
        }
        StringBuilder json = new StringBuilder("{\"status\":\"not_ready\",\"reasons\":[");
        for (int i = 0; i < reasons.size(); i++) {
            json.append(i == 0 ? "\"" : ",\"").append(reasons.get(i)).append('"'); // fixed texts, nothing to escape
        }
        return new HttpReply(503, json.append("]}").toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The metrics, or 401 without the configured bearer token, or 404 when metrics are off. */
    public HttpReply metrics(String authorization) {
        if (metrics == null) {
            return new RestProblem(RestError.NOT_FOUND, "metrics are switched off (metrics.enabled)").reply();
        }
        if (config.metricsToken() != null && !bearerMatches(authorization, config.metricsToken())) {
            return new RestProblem(RestError.UNAUTHORIZED, "expected Authorization: Bearer <metrics.bearerToken>").reply();
        }
        return new HttpReply(200, metrics.scrape(), metrics.contentType());
    }

    /** Compares in constant time, so the token cannot be guessed byte by byte from response times. */
    private static boolean bearerMatches(String authorization, String token) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(authorization.substring(7).strip().getBytes(StandardCharsets.UTF_8),
                token.getBytes(StandardCharsets.UTF_8));
    }

    /** Counts a REST request, if metrics are on. */
    void restRequest(String endpoint, int status) {
        if (metrics != null) {
            metrics.restRequest(endpoint, status);
        }
    }
}
