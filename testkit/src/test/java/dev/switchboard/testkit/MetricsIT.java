package dev.switchboard.testkit;

import static dev.switchboard.testkit.TestServer.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /metrics} and {@code GET /readyz} (docs/operations.md): the counters move with what clients do, each
 * publish counted once with its recipients, refusals and closes by code, REST requests by endpoint and status;
 * the optional bearer token; the separate listener; readiness during a drain; no secret in the exposition.
 */
class MetricsIT extends ServerTestBase {
    private static final String METRICS_TOKEN = "metrics-token-0123456789";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Override
    protected String config() {
        return TestServer.defaultConfig("rateLimit: { burst: 20, perSecond: 0.01 }");
    }

    @Test
    void countersFollowTwoClientsChatting() {
        Map<String, Double> before = scrape(server.port(), null);
        WsProbe alice = pk();
        WsProbe bob = pk();
        String room = channel("chat");
        subscribe(alice, room);
        subscribe(bob, room);
        expectPresence(alice, room, java.util.List.of(bob.peerId()), java.util.List.of());
        for (int i = 0; i < 3; i++) {
            String rid = rid();
            alice.sendFrame("type", "publish", "channel", room, "data", "hello " + i, "requestId", rid);
            expectAck(alice, rid);
            assertThat(bob.expectType("message").path("data").asText()).isEqualTo("hello " + i);
        }
        String rid = rid();
        bob.sendFrame("type", "send", "to", alice.peerId(), "data", "direct", "requestId", rid);
        expectAck(bob, rid);
        alice.expectType("direct");

        Map<String, Double> after = scrape(server.port(), null);
        assertThat(delta(before, after, "switchboard_connections_admitted_total{app=\"app_a\"}")).isEqualTo(2);
        assertThat(after.get("switchboard_app_connections{app=\"app_a\"}")).isEqualTo(2);
        assertThat(after.get("switchboard_rooms{app=\"app_a\"}")).isGreaterThanOrEqualTo(1);
        assertThat(after.get("switchboard_presence_members{app=\"app_a\"}")).isGreaterThanOrEqualTo(2);
        assertThat(delta(before, after, "switchboard_messages_total{app=\"app_a\",kind=\"publish\"}")).isEqualTo(3);
        assertThat(delta(before, after, "switchboard_messages_total{app=\"app_a\",kind=\"send\"}")).isEqualTo(1);
        // three publishes reached Bob (the sender gets no echo) and the send reached Alice
        assertThat(delta(before, after, "switchboard_deliveries_total{app=\"app_a\"}")).isEqualTo(4);
        assertThat(after).containsKey("jvm_memory_used_bytes{area=\"heap\"}");
        assertThat(after).containsKey("switchboard_event_loop_lag_seconds{loop=\"0\"}");
    }

    @Test
    void refusalsClosesAndErrorsAreCountedByCode() {
        Map<String, Double> before = scrape(server.port(), null);
        connect("key=pk_live_unknown00000000000000").expectClose(4001);
        WsProbe errant = pk();
        String rid = rid();
        errant.sendFrame("type", "subscribe", "channel", "_system/x", "requestId", rid);
        expectError(errant, "channel_reserved", rid);
        WsProbe flooder = pk();
        for (int i = 0; i < 21; i++) {
            flooder.sendFrame("type", "unsubscribe", "channel", "x");
        }
        flooder.expectClose(4011);
        WsProbe leaver = pk();
        leaver.close();

        Map<String, Double> after = awaitScrape(m -> delta(before, m,
                "switchboard_connections_closed_total{app=\"app_a\",by=\"client\",code=\"1000\"}") >= 1
                && delta(before, m, "switchboard_connections_closed_total{app=\"app_a\",by=\"server\",code=\"4011\"}") >= 1);
        assertThat(delta(before, after, "switchboard_connections_refused_total{code=\"4001\"}")).isEqualTo(1);
        assertThat(delta(before, after, "switchboard_errors_total{app=\"app_a\",code=\"channel_reserved\"}")).isEqualTo(1);
        assertThat(delta(before, after, "switchboard_connections_closed_total{app=\"app_a\",by=\"server\",code=\"4011\"}"))
                .isEqualTo(1);
    }

    @Test
    void restRequestsAreCountedByEndpointAndStatus() throws Exception {
        Map<String, Double> before = scrape(server.port(), null);
        assertThat(get(server.port(), "/v1/usage", "Bearer " + SK_ALL + ":" + SK_ALL_SECRET).statusCode()).isEqualTo(200);
        assertThat(get(server.port(), "/v1/usage", "Bearer " + SK_ALL + ":wrong").statusCode()).isEqualTo(401);
        Map<String, Double> after = scrape(server.port(), null);
        assertThat(delta(before, after, "switchboard_rest_requests_total{endpoint=\"usage\",status=\"200\"}")).isEqualTo(1);
        assertThat(delta(before, after, "switchboard_rest_requests_total{endpoint=\"usage\",status=\"401\"}")).isEqualTo(1);
        assertThat(get(server.port(), "/v1/usage", "Bearer " + SK_ALL + ":" + SK_ALL_SECRET).body())
                .contains("\"serverVersion\":\"");
    }

    @Test
    void noKeySecretOrTokenAppearsInTheExposition() throws Exception {
        pk().close();
        String text = get(server.port(), "/metrics", null).body();
        assertThat(text).doesNotContain(SK_ALL_SECRET).doesNotContain(SK_B_SECRET).doesNotContain("sk_secret");
    }

    @Test
    void aBearerTokenGuardsMetricsWhenConfigured() throws Exception {
        try (TestServer guarded = TestServer.start(TestServer.defaultConfig("")
                + "metrics: { bearerToken: " + METRICS_TOKEN + " }\n")) {
            assertThat(get(guarded.port(), "/metrics", null).statusCode()).isEqualTo(401);
            assertThat(get(guarded.port(), "/metrics", "Bearer wrong-token-0123456789").statusCode()).isEqualTo(401);
            HttpResponse<String> ok = get(guarded.port(), "/metrics", "Bearer " + METRICS_TOKEN);
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
            assertThat(ok.body()).doesNotContain(METRICS_TOKEN);
        }
    }

    @Test
    void aSeparateListenerServesMetricsAndHealthAndTheMainPortDoesNot() throws Exception {
        try (TestServer split = TestServer.start(TestServer.defaultConfig("")
                + "metrics: { host: 127.0.0.1, port: 0 }\n")) {
            int ops = split.server().opsPort();
            assertThat(ops).isPositive().isNotEqualTo(split.port());
            assertThat(get(ops, "/metrics", null).body()).contains("switchboard_connections_open");
            assertThat(get(ops, "/healthz", null).statusCode()).isEqualTo(200);
            assertThat(get(ops, "/readyz", null).statusCode()).isEqualTo(200);
            assertThat(get(ops, "/v1/usage", null).statusCode()).isEqualTo(404);
            assertThat(get(split.port(), "/metrics", null).statusCode()).isEqualTo(404);
            assertThat(get(split.port(), "/healthz", null).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void metricsCanBeSwitchedOff() throws Exception {
        try (TestServer off = TestServer.start(TestServer.defaultConfig("") + "metrics: { enabled: false }\n")) {
            assertThat(get(off.port(), "/metrics", null).statusCode()).isEqualTo(404);
            assertThat(get(off.port(), "/readyz", null).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void readinessTurns503WhenTheNodeDrains() throws Exception {
        try (TestServer draining = TestServer.start(TestServer.defaultConfig("")
                + "metrics: { host: 127.0.0.1, port: 0 }\n")) {
            int ops = draining.server().opsPort();
            assertThat(get(ops, "/readyz", null).statusCode()).isEqualTo(200);
            draining.node().drain();
            HttpResponse<String> answer = get(ops, "/readyz", null);
            assertThat(answer.statusCode()).isEqualTo(503);
            assertThat(answer.body()).contains("draining");
            assertThat(scrape(ops, null).get("switchboard_draining")).isEqualTo(1);
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    private static double delta(Map<String, Double> before, Map<String, Double> after, String series) {
        return after.getOrDefault(series, 0.0) - before.getOrDefault(series, 0.0);
    }

    /** Scrapes until {@code done} holds: a close is counted when the server has finished with the connection. */
    private Map<String, Double> awaitScrape(java.util.function.Predicate<Map<String, Double>> done) {
        return org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                .until(() -> scrape(server.port(), null), done);
    }

    /** The exposition as series (name with its labels, sorted as the writer prints them) to value. */
    static Map<String, Double> scrape(int port, String authorization) {
        try {
            HttpResponse<String> answer = get(port, "/metrics", authorization);
            assertThat(answer.statusCode()).isEqualTo(200);
            Map<String, Double> series = new HashMap<>();
            for (String line : answer.body().split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                int space = line.lastIndexOf(' ');
                series.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            }
            return series;
        } catch (Exception e) {
            throw new AssertionError("scrape of port " + port + " failed", e);
        }
    }

    static HttpResponse<String> get(int port, String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
