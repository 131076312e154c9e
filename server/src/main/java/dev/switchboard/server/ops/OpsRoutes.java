package dev.switchboard.server.ops;

import dev.switchboard.netty.HttpRoutes;
import dev.switchboard.server.rest.RestApi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The main port's plain HTTP routes: {@code /readyz} and {@code /metrics} (unless they have a listener of their
 * own), then the REST plane and the demo, each request counted by REST endpoint ("other" for the demo pages and
 * unknown paths) and status, and written to the access log.
 */
public final class OpsRoutes implements HttpRoutes {
    /** The access log: its own logger, so that it can be silenced alone ({@code SWITCHBOARD_ACCESS_LOG=OFF}). */
    private static final Logger ACCESS = LoggerFactory.getLogger("access");
    private final HttpRoutes inner;
    private final Operations operations;
    private final boolean serveOps;

    /** {@code serveOps}: whether {@code /readyz} and {@code /metrics} are answered here. */
    public OpsRoutes(HttpRoutes inner, Operations operations, boolean serveOps) {
        this.inner = inner;
        this.operations = operations;
        this.serveOps = serveOps;
    }

    @Override
    public HttpReply screen(HttpCall head) {
        if (serveOps && head.method().equals("GET")) {
            switch (head.rawPath()) {
                case "/readyz" -> {
                    return operations.ready();
                }
                case "/metrics" -> {
                    return operations.metrics(head.authorization());
                }
                default -> {
                }
            }
        }
        return counted(head, inner.screen(head));
    }

    @Override
    public HttpReply handle(HttpCall request) {
        HttpReply reply = inner.handle(request);
        return reply == null ? null : counted(request, reply);
    }

    private HttpReply counted(HttpCall call, HttpReply reply) {
        if (reply != null && reply.later() != null) {
            return HttpReply.later(reply.later().thenApply(answer -> counted(call, answer)));
        }
        if (reply != null) {
            String endpoint = RestApi.endpointName(call.method(), call.rawPath());
            operations.restRequest(endpoint == null ? "other" : endpoint, reply.status());
            if (endpoint == null || endpoint.equals("health")) {
                return reply; // the access log is the REST plane's: not probes, demo pages or unknown paths
            }
            // the path without its query; the credential is a header and is never logged
            ACCESS.atInfo().setMessage("http_request").addKeyValue("method", call.method())
                    .addKeyValue("path", call.rawPath()).addKeyValue("status", reply.status())
                    .addKeyValue("remote", call.remoteAddress()).log();
        }
        return reply;
    }
}
