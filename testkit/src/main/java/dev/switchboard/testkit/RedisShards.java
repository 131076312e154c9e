package dev.switchboard.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A Redis Cluster of three masters (no replicas) on 127.0.0.1, each a {@link RedisServer} with its cluster bus on a
 * free port of its own, joined with {@code redis-cli --cluster create}. For the tests of {@code broker.cluster}.
 */
public final class RedisShards implements AutoCloseable {
    private final List<RedisServer> masters;

    private RedisShards(List<RedisServer> masters) {
        this.masters = masters;
    }

    /** Starts three masters and makes them one cluster, every slot served. */
    public static RedisShards start() {
        List<RedisServer> masters = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                masters.add(RedisServer.start(List.of("--cluster-enabled", "yes",
                        "--cluster-port", Integer.toString(RedisServer.freePort()),
                        "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000")));
            }
            RedisShards shards = new RedisShards(masters);
            shards.create();
            return shards;
        } catch (IOException | RuntimeException e) {
            masters.forEach(RedisServer::close);
            throw new IllegalStateException("cannot start a Redis Cluster: " + e.getMessage(), e);
        }
    }

    private void create() throws IOException {
        List<String> command = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
        masters.forEach(m -> command.add("127.0.0.1:" + m.port()));
        command.add("--cluster-yes");
        Process cli = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!cli.waitFor(30, TimeUnit.SECONDS) || cli.exitValue() != 0) {
                throw new IllegalStateException("redis-cli --cluster create failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!masters.stream().allMatch(RedisShards::ready)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the Redis Cluster did not come up: " + output);
            }
            try {
                TimeUnit.MILLISECONDS.sleep(50); // polling processes that are forming a cluster, not a test barrier
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** Whether {@code master} sees the cluster whole: every slot served and every node known. */
    private static boolean ready(RedisServer master) {
        try {
            String info = master.bulkCommand("CLUSTER", "INFO");
            return info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:3");
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code redis://127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3}: every master as a seed. */
    public String uri() {
        return "redis://" + masters.stream().map(m -> "127.0.0.1:" + m.port()).collect(Collectors.joining(","));
    }

    /** The masters, each serving a third of the slots. */
    public List<RedisServer> masters() {
        return masters;
    }

    @Override
    public void close() {
        masters.forEach(RedisServer::close);
    }
}
