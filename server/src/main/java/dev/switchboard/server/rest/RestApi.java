package dev.switchboard.server.rest;

import dev.switchboard.core.Node;
import dev.switchboard.core.auth.Key;
import dev.switchboard.core.spi.Clock;
import dev.switchboard.netty.HttpRoutes;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST control plane of rest-api.md on the WebSocket port, plus {@code GET /healthz} (§7). Enforces the
 * check order of §1.3 across the transport's two calls: {@link #screen} does route (404), the per-IP limit,
 * authentication (401) and the per-key limit (429) before the body is read; the transport then applies the
 * 32 KiB cap (413); {@link #handle} validates (400), checks reserved names (400), actions and patterns (403)
 * and executes.
 */
public final class RestApi implements HttpRoutes {
    private static final Logger log = LoggerFactory.getLogger(RestApi.class);
    private static final byte[] HEALTHY = "{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8);

    private final Node node;
    private final RestRateLimit rateLimit;
    private final RequestThrottle perIp;
    private final RequestThrottle perKey;
    private final ControlEndpoints endpoints;

    /**
     * Authenticates with the node's current keyring, so keys added or revoked by a reload apply at once.
     *
     * @param plans the configured plan of each app id; apps without one report {@link Plan#NONE}
     */
    public RestApi(Node node, RestRateLimit rateLimit, Map<String, Plan> plans, Clock clock) {
        this.node = node;
        this.rateLimit = rateLimit;
        this.perIp = new RequestThrottle(rateLimit.perIp(), rateLimit.perIpBurst(), clock::nanoTime);
        this.perKey = new RequestThrottle(rateLimit.perKey(), rateLimit.perKeyBurst(), clock::nanoTime);
        this.endpoints = new ControlEndpoints(node, Map.copyOf(plans), clock);
    }

    /** A reload: the plans {@code /v1/usage} reports. Keys come from the node's keyring, which the reload swaps. */
    public void plans(Map<String, Plan> plans) {
        endpoints.plans(plans);
    }

    @Override
    public HttpReply screen(HttpCall head) {
        RestRoute route = RestRoute.match(head.method(), head.rawPath());
        if (route == null) {
            return new RestProblem(RestError.NOT_FOUND, "no such endpoint: " + head.method() + " "
                    + head.rawPath()).reply();
        }
        if (!route.authenticated()) {
            return null;
        }
        boolean exempt = head.loopback() && rateLimit.exemptLoopback();
        if (!exempt && !perIp.tryAcquire(head.remoteAddress())) {
            return new RestProblem(RestError.RATE_LIMITED, "too many requests from this address").reply();
        }
        Optional<Key> key = node.keyring().authenticateRest(head.authorization());
        if (key.isEmpty()) {
            return unauthorized();
        }
        if (!exempt && !perKey.tryAcquire(key.get().config().id())) {
            return new RestProblem(RestError.RATE_LIMITED, "too many requests with this key").reply();
        }
        return null;
    }

    @Override
    public HttpReply handle(HttpCall call) {
        RestRoute route = RestRoute.match(call.method(), call.rawPath());
        if (route == null) {
            return null;
        }
        if (!route.authenticated()) {
            return health();
        }
        Optional<Key> key = node.keyring().authenticateRest(call.authorization());
        if (key.isEmpty()) {
            return unauthorized();
        }
        try {
            return switch (route.endpoint()) {
                case MINT -> endpoints.mint(key.get(), call.body());
                case PEERS -> endpoints.peers(key.get(), route, call.query());
                case HISTORY -> endpoints.history(key.get(), route, call.query());
                case PUBLISH -> endpoints.publish(key.get(), route, call.body());
                case KICK -> endpoints.kick(key.get(), route);
                case USAGE -> endpoints.usage(key.get());
                case HEALTH -> health();
            };
        } catch (RestProblem problem) {
            log.atDebug().setMessage("rest_refused").addKeyValue("endpoint", route.endpoint())
                    .addKeyValue("app", key.get().app().id()).addKeyValue("key", key.get().config().id())
                    .addKeyValue("error", problem.error().code()).log();
            return problem.reply();
        }
    }

    /** {@code GET /healthz}: the process answers (liveness). */
    public static HttpReply health() {
        return new HttpReply(200, HEALTHY);
    }

    /**
     * The REST endpoint {@code method} on {@code rawPath} names ({@code mint}, {@code peers}, {@code publish},
     * {@code kick}, {@code usage}, {@code health}), or null for anything else: a bounded label for metrics.
     */
    public static String endpointName(String method, String rawPath) {
        RestRoute route = RestRoute.match(method, rawPath);
        return route == null ? null : route.endpoint().name().toLowerCase(java.util.Locale.ROOT);
    }

    private static HttpReply unauthorized() {
        return new RestProblem(RestError.UNAUTHORIZED,
                "expected Authorization: Bearer <sk_id>:<sk_secret> of an enabled secret key").reply();
    }
}
