package dev.switchboard.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Switchboard node as its own process ({@code java -jar switchboard.jar serve}), a member of a cluster on a
 * {@link RedisServer} (or a {@link RedisShards} cluster), on 127.0.0.1 and a free port, for the black-box cluster
 * tests: it can be stopped gracefully (SIGTERM), paused (SIGSTOP) or killed (SIGKILL). The jar is the one the build made ({@code -Dswitchboard.jar}).
 */
public final class ClusterNode implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String name;
    private final int port;
    private final Path log;
    private final Process process;

    private ClusterNode(String name, int port, Path log, Process process) {
        this.name = name;
        this.port = port;
        this.log = log;
        this.process = process;
    }

    /**
     * Starts node {@code name} with the configuration {@code yaml} (its {@code server:} host and port are set from
     * outside) joined to {@code redis}, and waits until {@code /readyz} answers 200.
     */
    public static ClusterNode start(String name, RedisServer redis, Path dir, String yaml) {
        return start(name, redis.uri(), false, dir, yaml);
    }

    /**
     * Starts node {@code name} joined to the Redis at {@code redisUri}, a Redis Cluster if {@code redisCluster}
     * ({@code broker.cluster}); otherwise as {@link #start(String, RedisServer, Path, String)}.
     */
    public static ClusterNode start(String name, String redisUri, boolean redisCluster, Path dir, String yaml) {
        String jar = System.getProperty("switchboard.jar");
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("-Dswitchboard.jar must name the built server jar, not " + jar);
        }
        try {
            Path config = dir.resolve(name + ".yaml");
            Files.writeString(config, yaml);
            Path log = dir.resolve(name + ".log");
            int port = RedisServer.freePort();
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", jar,
                    "serve", "--config", config.toString()));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            builder.environment().put("SWITCHBOARD_HOST", "127.0.0.1");
            builder.environment().put("SWITCHBOARD_PORT", Integer.toString(port));
            builder.environment().put("SWITCHBOARD_BROKER_TYPE", "redis");
            builder.environment().put("SWITCHBOARD_BROKER_URI", redisUri);
            builder.environment().put("SWITCHBOARD_BROKER_CLUSTER", Boolean.toString(redisCluster));
            builder.environment().put("SWITCHBOARD_BROKER_NODE_ID", name);
            builder.environment().put("SWITCHBOARD_ACCESS_LOG", "OFF");
            ClusterNode node = new ClusterNode(name, port, log, builder.start());
            node.awaitReady();
            return node;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start node " + name + ": " + e.getMessage(), e);
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                if (get("/readyz").statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("node " + name + " did not become ready:\n" + log());
            }
            try {
                TimeUnit.MILLISECONDS.sleep(50); // polling a process that is starting up, not a test barrier
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    public String name() {
        return name;
    }

    /** {@code ws://127.0.0.1:PORT}. */
    public String origin() {
        return "ws://127.0.0.1:" + port;
    }

    /** {@code ws://127.0.0.1:PORT/v1?query}. */
    public URI uri(String query) {
        return URI.create(origin() + "/v1" + (query == null || query.isEmpty() ? "" : "?" + query));
    }

    /** {@code http://127.0.0.1:PORT}. */
    public String httpOrigin() {
        return "http://127.0.0.1:" + port;
    }

    public HttpResponse<String> get(String path) throws IOException {
        return send(HttpRequest.newBuilder(URI.create(httpOrigin() + path)).GET(), null);
    }

    /** A REST call with {@code Authorization: Bearer credential}; {@code body} null for none. */
    public HttpResponse<String> rest(String method, String path, String credential, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(httpOrigin() + path))
                .header("Authorization", "Bearer " + credential)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        try {
            return send(request, body);
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " on node " + name + ": " + e.getMessage(), e);
        }
    }

    private HttpResponse<String> send(HttpRequest.Builder request, String body) throws IOException {
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** What the node wrote to stdout and stderr so far. */
    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** SIGKILL: the node ends without a word to anybody. */
    public void kill() {
        process.destroyForcibly();
        waitForExit();
    }

    /** SIGSTOP: the node stands still (a long pause) until {@link #resume}. */
    public void pause() {
        signal("STOP");
    }

    /** SIGCONT after {@link #pause}. */
    public void resume() {
        signal("CONT");
    }

    private void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
            if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGTERM: the graceful drain. */
    @Override
    public void close() {
        if (process.isAlive()) {
            resume(); // a paused node would not act on it
            process.destroy();
            waitForExit();
        }
    }

    private void waitForExit() {
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "node " + name + " on " + port;
    }
}
