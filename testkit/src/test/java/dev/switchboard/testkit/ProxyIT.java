package dev.switchboard.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Behind a trusted proxy (docs/deploy.md): the per-IP connect throttle keys on the client the proxy names —
 * through {@code X-Forwarded-For}, {@code Forwarded} or the PROXY protocol — and loopback (where a local nginx
 * connects from) is no longer exempt by default.
 */
class ProxyIT extends ServerTestBase {
    private TestServer proxied;

    @Override
    protected String config() {
        return TestServer.defaultConfig("""
                trustedProxies: ["127.0.0.1"]
                connectThrottle: { attempts: 2, window: 60s }
                """);
    }

    @BeforeAll
    void startProxyProtocolServer() {
        proxied = TestServer.start(TestServer.defaultConfig("""
                trustedProxies: ["127.0.0.0/8"]
                proxyProtocol: true
                connectThrottle: { attempts: 2, window: 60s }
                """));
    }

    @AfterAll
    void stopProxyProtocolServer() {
        proxied.close();
    }

    private static String upgrade(int port, String extraHeaders) {
        return "GET /v1?key=" + TestServer.PK_ALL + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n" + extraHeaders + "\r\n";
    }

    private int status(String request) {
        return RawWebSocket.http(server.port(), request).status();
    }

    @Test
    void xForwardedForNamesTheClientThatIsThrottled() {
        String abuser = "X-Forwarded-For: 203.0.113.5\r\n";
        assertThat(status(upgrade(server.port(), abuser))).isEqualTo(101);
        assertThat(status(upgrade(server.port(), abuser))).isEqualTo(101);
        assertThat(status(upgrade(server.port(), abuser))).isEqualTo(429);
        assertThat(status(upgrade(server.port(), "X-Forwarded-For: 203.0.113.6\r\n"))).as("another client").isEqualTo(101);
        assertThat(status(upgrade(server.port(), "X-Forwarded-For: 203.0.113.5, 203.0.113.7\r\n")))
                .as("a forged left entry does not pick the address").isEqualTo(101);
    }

    @Test
    void forwardedNamesTheClientThatIsThrottled() {
        String abuser = "Forwarded: for=\"[2001:db8:5::1]:51000\";proto=https\r\n";
        assertThat(status(upgrade(server.port(), abuser))).isEqualTo(101);
        assertThat(status(upgrade(server.port(), "Forwarded: for=\"[2001:db8:5::2]\"\r\n"))).isEqualTo(101);
        assertThat(status(upgrade(server.port(), abuser))).as("the same /64").isEqualTo(429);
        assertThat(status(upgrade(server.port(), "Forwarded: for=\"[2001:db8:6::1]\"\r\n"))).isEqualTo(101);
    }

    @Test
    void loopbackIsNotExemptOnceProxiesAreConfigured() {
        String direct = "X-Forwarded-For: 127.0.0.1\r\n"; // a trusted hop: the walk ends at it
        assertThat(status(upgrade(server.port(), direct))).isEqualTo(101);
        assertThat(status(upgrade(server.port(), direct))).isEqualTo(101);
        assertThat(status(upgrade(server.port(), direct))).isEqualTo(429);
    }

    @Test
    void theProxyProtocolSourceIsTheClient() {
        String abuser = "PROXY TCP4 198.51.100.7 127.0.0.1 40000 7070\r\n";
        int port = proxied.port();
        assertThat(RawWebSocket.http(port, abuser + upgrade(port, "")).status()).isEqualTo(101);
        assertThat(RawWebSocket.http(port, abuser + upgrade(port, "")).status()).isEqualTo(101);
        assertThat(RawWebSocket.http(port, abuser + upgrade(port, "")).status()).isEqualTo(429);
        assertThat(RawWebSocket.http(port, "PROXY TCP4 198.51.100.8 127.0.0.1 40001 7070\r\n" + upgrade(port, ""))
                .status()).isEqualTo(101);
    }
}
