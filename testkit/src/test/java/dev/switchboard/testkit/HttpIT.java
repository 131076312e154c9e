package dev.switchboard.testkit;

import static dev.switchboard.testkit.TestServer.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** protocol.md §1.1–§1.2: the endpoint path, plain HTTP answers, the per-IP throttle and header sizes. */
class HttpIT extends ServerTestBase {

    private static String upgradeRequest(String target, int port) {
        return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                + "Connection: close\r\n\r\n";
    }

    @Test
    void webSocketUpgradeOnAnyOtherPathAnswers404() {
        for (String path : new String[] {"/", "/v2", "/v1/", "/rms/v1", "/V1", "/v1/extra"}) {
            RawWebSocket.HttpAnswer answer = RawWebSocket.http(server.port(),
                    upgradeRequest(path + "?" + keyQuery(PK_ALL), server.port()));
            assertThat(answer.status()).as("status for " + path).isEqualTo(404);
        }
    }

    @Test
    void getV1WithoutUpgradeAnswers426() {
        RawWebSocket.HttpAnswer answer = RawWebSocket.http(server.port(),
                "GET /v1?" + keyQuery(PK_ALL) + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        assertThat(answer.status()).isEqualTo(426);
    }

    @Test
    void upgradeSucceedsWithoutSubprotocol() {
        RawWebSocket.HttpAnswer answer = RawWebSocket.http(server.port(),
                upgradeRequest("/v1?" + keyQuery(PK_ALL), server.port()));
        assertThat(answer.status()).isEqualTo(101);
        assertThat(answer.head().toLowerCase()).doesNotContain("sec-websocket-protocol");
    }

    @Test
    void admissionFailuresAreCompletedUpgradesNotHttpErrors() {
        RawWebSocket.HttpAnswer answer = RawWebSocket.http(server.port(),
                upgradeRequest("/v1?key=pk_live_unknown", server.port()));
        assertThat(answer.status()).isEqualTo(101);
    }

    @Test
    void loopbackIsExemptFromThePerIpThrottleByDefault() {
        for (int i = 0; i < 70; i++) {
            RawWebSocket.HttpAnswer answer = RawWebSocket.http(server.port(),
                    upgradeRequest("/v1?key=pk_live_unknown", server.port()));
            assertThat(answer.status()).as("attempt " + (i + 1)).isEqualTo(101);
        }
    }

    @Test
    void perIpConnectionAttemptsOverTheLimitAnswer429WithoutHandshake() {
        try (TestServer throttled = TestServer.start(TestServer.defaultConfig(
                "connectThrottle: { attempts: 2, window: 60s, exemptLoopback: false }"))) {
            for (int i = 0; i < 2; i++) {
                RawWebSocket.HttpAnswer ok = RawWebSocket.http(throttled.port(),
                        upgradeRequest("/v1?" + keyQuery(PK_ALL), throttled.port()));
                assertThat(ok.status()).as("attempt " + (i + 1)).isEqualTo(101);
            }
            RawWebSocket.HttpAnswer third = RawWebSocket.http(throttled.port(),
                    upgradeRequest("/v1?" + keyQuery(PK_ALL), throttled.port()));
            assertThat(third.status()).isEqualTo(429);
            assertThat(third.head().toLowerCase()).doesNotContain("sec-websocket-accept");
        }
    }

    @Test
    void aSocketSilentBeforeAnyRequestIsClosedAfterTheHttpIdleTimeoutButAnUpgradedOneIsNot() throws Exception {
        try (TestServer idle = TestServer.start(TestServer.defaultConfig("httpIdleTimeout: 300ms"))) {
            try (java.net.Socket silent = new java.net.Socket("127.0.0.1", idle.port())) {
                silent.setSoTimeout(5_000);
                long start = System.nanoTime();
                assertThat(silent.getInputStream().read()).as("closed by the server, nothing sent").isEqualTo(-1);
                assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isLessThan(java.time.Duration.ofSeconds(4));
            }
            WsProbe upgraded = WsProbe.welcomed(idle, keyQuery(PK_ALL));
            Thread.sleep(800);
            upgraded.send("{\"type\":\"ping\"}");
            upgraded.expectType("pong");
            upgraded.close();
        }
    }

    @Test
    void upgradeRequestWithMoreThan32KiBOfHeadersIsAccepted() {
        String meta = "{\"k\":\"" + "m".repeat(8192 - 8) + "\"}";
        String peerMeta = "{\"k\":\"" + "p".repeat(4096 - 8) + "\"}";
        String query = server.tokenFor(sub("big")).metadata(meta).peerMetadata(peerMeta).query();
        assertThat(query.length()).isGreaterThan(16_000);
        String padding = "h".repeat(16 * 1024);
        WsProbe p = connect(query, Map.of("X-Padding-One", padding, "X-Padding-Two", "g".repeat(1024)));
        assertThat(query.length() + padding.length()).isGreaterThan(32 * 1024);
        assertThat(p.awaitWelcome().get("metadata")).isEqualTo(WsProbe.parse(meta));
    }
}
