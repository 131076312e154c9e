package dev.switchboard.testkit;

import static dev.switchboard.testkit.TestServer.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** protocol.md §12: going_away then 1001 to every connection, and no new connections. Own server per test. */
class ShutdownIT {

    @Test
    void gracefulShutdownSendsGoingAwayThenClosesEveryConnectionWith1001() throws Exception {
        TestServer server = TestServer.start();
        try (WsProbe a = WsProbe.welcomed(server, keyQuery(PK_ALL));
             WsProbe b = WsProbe.welcomed(server, server.tokenFor("alice").query())) {
            CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
            for (WsProbe p : List.of(a, b)) {
                JsonNode goingAway = p.expectType("going_away");
                assertThat(goingAway.get("retryAfterMs").asInt()).isEqualTo(1000);
                assertThat(goingAway.properties().stream().map(e -> e.getKey()).toList())
                        .containsExactlyInAnyOrder("type", "retryAfterMs");
                WsProbe.Event close = p.expectClose(1001);
                assertThat(close.reason().getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThanOrEqualTo(123);
            }
            closing.get(5, TimeUnit.SECONDS);
        } finally {
            server.close();
        }
    }

    @Test
    void noConnectionIsWelcomedAfterShutdown() {
        TestServer server = TestServer.start();
        java.net.URI uri = server.uri(keyQuery(PK_ALL));
        server.close();
        Throwable thrown = catchThrowable(() -> {
            try (WsProbe late = WsProbe.connect(uri, java.util.Map.of())) {
                WsProbe.Event first = late.nextEvent(WsProbe.DEFAULT_TIMEOUT);
                assertThat(first.kind()).as("no welcome after shutdown: " + first).isEqualTo(WsProbe.Event.Kind.CLOSE);
            }
        });
        if (thrown != null) {
            assertThat(thrown).isInstanceOf(AssertionError.class).hasMessageContaining("handshake");
        }
    }

    @Test
    void shutdownEmitsNoPresenceToClosingConnectionsBeforeGoingAway() throws Exception {
        TestServer server = TestServer.start();
        try (WsProbe a = WsProbe.welcomed(server, keyQuery(PK_ALL))) {
            a.sendFrame("type", "subscribe", "channel", "room", "requestId", "s");
            a.expectType("ack");
            a.expectType("presence");
            CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
            a.expectType("going_away");
            a.expectClose(1001);
            closing.get(5, TimeUnit.SECONDS);
        } finally {
            server.close();
        }
    }
}
