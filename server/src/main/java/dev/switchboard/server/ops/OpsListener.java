package dev.switchboard.server.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.switchboard.netty.HttpRoutes.HttpReply;
import dev.switchboard.server.rest.RestApi;
import dev.switchboard.server.rest.RestError;
import dev.switchboard.server.rest.RestProblem;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code /metrics}, {@code /healthz} and {@code /readyz} on an address of their own ({@code metrics.host} and
 * {@code metrics.port}), so they can stay inside a private network while the main port faces the Internet. The
 * JDK's HTTP server on one daemon thread: scrapes and probes are a few requests a second.
 */
public final class OpsListener implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService thread;

    private OpsListener(HttpServer server, ExecutorService thread) {
        this.server = server;
        this.thread = thread;
    }

    /** Binds {@code host}:{@code port} (0: any free port) and serves {@code operations}. */
    public static OpsListener start(String host, int port, Operations operations) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
        server.createContext("/", exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().getRawPath();
                boolean get = exchange.getRequestMethod().equals("GET");
                HttpReply reply = !get ? null : switch (path) {
                    case "/metrics" -> operations.metrics(exchange.getRequestHeaders().getFirst("Authorization"));
                    case "/healthz" -> RestApi.health();
                    case "/readyz" -> operations.ready();
                    default -> null;
                };
                if (reply == null) {
                    reply = new RestProblem(RestError.NOT_FOUND, "this listener serves GET /metrics, /healthz and /readyz")
                            .reply();
                }
                send(exchange, reply);
            }
        });
        ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "switchboard-ops");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(thread);
        server.start();
        return new OpsListener(server, thread);
    }

    private static void send(HttpExchange exchange, HttpReply reply) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", reply.contentType());
        exchange.sendResponseHeaders(reply.status(), reply.json().length == 0 ? -1 : reply.json().length);
        try (OutputStream body = exchange.getResponseBody()) {
            body.write(reply.json());
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        thread.shutdownNow();
    }
}
