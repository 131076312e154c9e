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
            // How much the kernel buffers before the server's outbox fills depends on the machine (tcp_wmem), so
            // publish until the watcher sees `left`, bounded by a deadline rather than a count. Each publish waits
            // for its own delivery to the watcher, and a publisher is replaced before its burst runs out.
            String payload = "\"" + "x".repeat(60_000) + "\"";
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            WsProbe publisher = null;
            long sent = 0;
            boolean left = false;
            while (!left && System.nanoTime() < deadline) {
                if (sent % 150 == 0) {
                    if (publisher != null) {
                        publisher.close();
                    }
                    publisher = pk();
                }
                String marker = "m" + sent++;
                publisher.send("{\"type\":\"publish\",\"channel\":\"" + c + "\",\"data\":{\"n\":\"" + marker
                        + "\",\"pad\":" + payload + "}}");
                while (true) {
                    String text = watcher.nextEvent(Duration.ofSeconds(10)).text();
                    if (text == null) {
                        continue;
                    }
                    if (text.contains("\"left\":[{")) {
                        assertThat(text).contains(slowPeer);
                        left = true;
                        break;
                    }
                    if (text.contains("\"n\":\"" + marker + "\"")) {
                        break;
                    }
                }
            }
            assertThat(left).as("the slow consumer was dropped after %d publishes", sent).isTrue();
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
