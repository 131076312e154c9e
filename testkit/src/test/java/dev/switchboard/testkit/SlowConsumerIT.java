package dev.switchboard.testkit;

import static dev.switchboard.testkit.TestServer.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * protocol.md §8.7 and §15 (1008): a consumer that stops reading is closed with 1008 once its outbound backlog
 * passes {@code outboxMaxBytes}, instead of slowing the publisher. Dedicated server with the smallest allowed
 * outbox (one maximal frame).
 */
class SlowConsumerIT extends ServerTestBase {

    @Override
    protected String config() {
        return TestServer.defaultConfig("outboxMaxBytes: 69632");
    }

    @Test
    void consumerThatStopsReadingIsClosedWith1008AndOthersSeeLeft() {
        String c = channel("slow");
        WsProbe watcher = pk();
        subscribe(watcher, c);
        try (RawWebSocket slow = track(RawWebSocket.open(server.port(), "/v1?" + keyQuery(PK_ALL), Map.of(), 4096))) {
            String slowPeer = WsProbe.parse(slow.readDataOrClose(Duration.ofSeconds(5)).text()).get("peerId").asString();
            slow.sendText("{\"type\":\"subscribe\",\"channel\":\"" + c + "\"}");
            expectPresence(watcher, c, List.of(slowPeer), List.of());
            WsProbe publisher = pk();
            String payload = "\"" + "x".repeat(60_000) + "\"";
            boolean left = false;
            for (int i = 0; i < 150 && !left; i++) {
                publisher.send("{\"type\":\"publish\",\"channel\":\"" + c + "\",\"data\":" + payload + "}");
                while (true) {
                    WsProbe.Event e;
                    try {
                        e = watcher.nextEvent(Duration.ofMillis(i < 149 ? 20 : 5000));
                    } catch (AssertionError timeout) {
                        break;
                    }
                    if (e.text() != null && e.text().contains("\"left\":[{")) {
                        assertThat(e.text()).contains(slowPeer);
                        left = true;
                        break;
                    }
                }
            }
            assertThat(left).as("the slow consumer was dropped").isTrue();
            List<RawWebSocket.Frame> tail = new ArrayList<>();
            RawWebSocket.Frame f;
            do {
                f = slow.readFrame(Duration.ofSeconds(5));
                if (f.opcode() != RawWebSocket.TEXT) {
                    tail.add(f);
                }
            } while (f.opcode() != RawWebSocket.EOF && f.opcode() != RawWebSocket.CLOSE);
            assertThat(f.opcode()).as("closed with a close frame: " + tail).isEqualTo(RawWebSocket.CLOSE);
            assertThat(f.closeCode()).isEqualTo(1008);
        }
    }
}
