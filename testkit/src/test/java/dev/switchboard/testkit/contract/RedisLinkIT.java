package dev.switchboard.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.spi.Cluster;
import dev.switchboard.core.spi.Publication;
import dev.switchboard.netty.TlsFiles;
import dev.switchboard.protocol.RawJson;
import dev.switchboard.redis.RedisCluster;
import dev.switchboard.redis.RedisSettings;
import dev.switchboard.server.DevCertificates;
import dev.switchboard.testkit.RedisServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a node reaches a Redis that asks for a password, or speaks TLS ({@code rediss://}). */
class RedisLinkIT {
    @TempDir
    static Path dir;

    @BeforeAll
    static void redisInstalled() {
        Assumptions.assumeTrue(RedisServer.available() || System.getenv("CI") != null,
                "redis-server is not installed");
    }

    @Test
    void aRedisWithAPasswordIsJoinedWithItAndRefusedWithoutItWithoutShowingIt() {
        try (RedisServer redis = RedisServer.start(List.of("--requirepass", "s3cret-pw"))) {
            String wrong = "redis://:wrong-pw@127.0.0.1:" + redis.port();
            assertThatThrownBy(() -> RedisCluster.connect(RedisSettings.of(wrong, "intruder")))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cannot join the cluster through Redis at redis://***@127.0.0.1")
                    .hasMessageNotContaining("wrong-pw");
            crossesBetweenTwoNodes(RedisSettings.of("redis://:s3cret-pw@127.0.0.1:" + redis.port(), "pw-a"),
                    RedisSettings.of("redis://:s3cret-pw@127.0.0.1:" + redis.port(), "pw-b"));
        }
    }

    @Test
    void aRedisBehindTlsIsJoinedWithRedissTrustingItsCaAndRefusedOtherwise() throws Exception {
        DevCertificates certificates = new DevCertificates(dir.resolve("tls"));
        TlsFiles files = certificates.ensure(Set.of("127.0.0.1", "localhost"));
        int tlsPort = RedisServer.freePort();
        try (RedisServer redis = RedisServer.start(List.of("--tls-port", Integer.toString(tlsPort),
                "--tls-cert-file", files.certificate().toString(), "--tls-key-file", files.privateKey().toString(),
                "--tls-ca-cert-file", certificates.authority().toString(), "--tls-auth-clients", "no"))) {
            String uri = "rediss://127.0.0.1:" + tlsPort;
            assertThatThrownBy(() -> RedisCluster.connect(RedisSettings.of(uri, "untrusting")))
                    .as("the JVM does not trust the dev CA").isInstanceOf(IllegalStateException.class);
            String ca = certificates.authority().toString();
            crossesBetweenTwoNodes(RedisSettings.of(uri, "tls-a").trusting(ca),
                    RedisSettings.of(uri, "tls-b").trusting(ca));
        }
    }

    /** Two nodes joined with these settings: a publication of one reaches the other. */
    private static void crossesBetweenTwoNodes(RedisSettings first, RedisSettings second) {
        Recorder inA = new Recorder();
        Recorder inB = new Recorder();
        try (Cluster a = RedisCluster.connect(first); Cluster b = RedisCluster.connect(second)) {
            a.start(inA, inA, inA);
            b.start(inB, inB, inB);
            b.broker().subscribe("link-app", "room").toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
            a.broker().publish(new Publication("link-app", "room", "alice", RawJson.of("\"over the link\""), null));
            assertThat(inB.nextPublication().data().toString()).isEqualTo("\"over the link\"");
            assertThat(a.link().up()).isTrue();
        }
    }
}
