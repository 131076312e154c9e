package dev.switchboard.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Per-app limits under {@code apps[i].limits} (docs/limits.md): each app's own token bucket, a concurrency cap that
 * holds exactly under a connect storm, and the accounting period reported by {@code /v1/usage}.
 */
class AppLimitsIT extends ServerTestBase {
    static final String PK_TIGHT = "pk_live_tight00000000000000000";
    static final String PK_STORM = "pk_live_storm00000000000000000";
    static final String SK_STORM = "sk_id_storm000000000000000000";
    static final String SK_STORM_SECRET = "sk_secret_storm_0123456789abcdef0123456789";
    static final int CAP = 5;

    @Override
    protected String config() {
        String all = "channelPatterns: [\"**\"], actions: [subscribe, publish, presence, send]";
        return TestServer.defaultConfig("rateLimit: { burst: 200, perSecond: 0.01 }") + """
                  - id: app_tight
                    limits: { messageRateBurst: 5, messageRatePerSecond: 0.01 }
                    keys:
                      - { type: publishable, id: %s, %s }
                  - id: app_storm
                    limits: { maxConcurrentConnections: %d, period: 1h }
                    keys:
                      - { type: publishable, id: %s, %s }
                      - { type: secret, id: %s, secret: %s, %s }
                """.formatted(PK_TIGHT, all, CAP, PK_STORM, all, SK_STORM, SK_STORM_SECRET, all);
    }

    @Test
    void anAppsOwnBucketClosesItsFloodingConnectionWith4011WhileAnotherAppsCarriesOn() {
        WsProbe tight = pk(PK_TIGHT);
        WsProbe neighbour = pk(); // app_a: the server-wide default bucket of 200
        for (int i = 1; i <= 5; i++) {
            tight.sendFrame("type", "unsubscribe", "channel", "x", "requestId", "t" + i);
            neighbour.sendFrame("type", "unsubscribe", "channel", "x", "requestId", "n" + i);
        }
        for (int i = 1; i <= 5; i++) {
            expectAck(tight, "t" + i);
            expectAck(neighbour, "n" + i);
        }
        tight.sendFrame("type", "unsubscribe", "channel", "x", "requestId", "t6");
        neighbour.sendFrame("type", "unsubscribe", "channel", "x", "requestId", "n6");
        assertReasonFits(tight.expectClose(4011));
        expectAck(neighbour, "n6");
        expectOpenWithNothingPending(neighbour);
    }

    @Test
    void theConcurrencyCapIsExactUnderAConnectStormAndFreedSlotsAreReused() throws Exception {
        for (int round = 0; round < 3; round++) {
            List<WsProbe> admitted = storm(40);
            assertThat(admitted).as("round %d: admitted of 40 concurrent connects", round).hasSize(CAP);
            assertThat(server.node().usage("app_storm").concurrentNow()).isEqualTo(CAP);
            for (WsProbe probe : admitted) {
                probe.close();
            }
            awaitConcurrent(0);
        }
        assertThat(server.node().usage("app_storm").peakConcurrent()).isEqualTo(CAP);
    }

    @Test
    void usageReportsTheConfiguredPeriodAlignedToTheEpoch() throws Exception {
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/v1/usage"))
                .header("Authorization", "Bearer " + SK_STORM + ":" + SK_STORM_SECRET).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
        JsonNode usage = WsProbe.parse(answer.body());
        long start = usage.path("periodStartUnix").asLong();
        long now = System.currentTimeMillis() / 1000;
        assertThat(start % 3600).isZero();
        assertThat(usage.path("periodEndUnix").asLong()).isEqualTo(start + 3600);
        assertThat(now).isBetween(start, start + 3600);
    }

    /** Opens {@code attempts} connections at once; returns the welcomed ones (the rest must see 4010). */
    private List<WsProbe> storm(int attempts) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(attempts);
        CountDownLatch go = new CountDownLatch(1);
        ConcurrentLinkedQueue<WsProbe> welcomed = new ConcurrentLinkedQueue<>();
        try {
            List<Future<?>> outcomes = new ArrayList<>();
            for (int i = 0; i < attempts; i++) {
                outcomes.add(pool.submit(() -> {
                    go.await();
                    WsProbe probe = connect(TestServer.keyQuery(PK_STORM));
                    WsProbe.Event first = probe.nextEvent(Duration.ofSeconds(10));
                    if (first.kind() == WsProbe.Event.Kind.CLOSE) {
                        assertThat(first.code()).as("refused connect").isEqualTo(4010);
                    } else {
                        assertThat(first.text()).contains("\"welcome\"");
                        welcomed.add(probe);
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> outcome : outcomes) {
                outcome.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return List.copyOf(welcomed);
    }

    private void awaitConcurrent(int expected) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
                .until(() -> server.node().usage("app_storm").concurrentNow() == expected);
    }
}
