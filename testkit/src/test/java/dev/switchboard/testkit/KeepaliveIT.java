package dev.switchboard.testkit;

import static dev.switchboard.testkit.TestServer.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * protocol.md §9: the server pings every interval and aborts connections silent for the grace period after a
 * ping, emitting presence {@code left}. Runs a dedicated server with a 200 ms interval and 200 ms grace.
 */
class KeepaliveIT extends ServerTestBase {

    @Override
    protected String config() {
        return TestServer.defaultConfig("keepalive: { interval: 200ms, grace: 200ms }");
    }

    @Test
    void serverSendsWebSocketPingControlFrames() {
        try (RawWebSocket ws = raw(keyQuery(PK_ALL))) {
            assertThat(ws.readDataOrClose(Duration.ofSeconds(5)).text()).contains("\"welcome\"");
            RawWebSocket.Frame frame = ws.readFrame(Duration.ofSeconds(2));
            assertThat(frame.opcode()).as("a ping control frame, got " + frame).isEqualTo(RawWebSocket.PING);
        }
    }

    @Test
    void connectionThatDoesNotAnswerPingsIsAbortedAndItsPresenceLeftIsEmitted() {
        String c = channel("dead");
        WsProbe watcher = pk();
        subscribe(watcher, c);
        try (RawWebSocket dead = raw(keyQuery(PK_ALL))) {
            String welcome = dead.readDataOrClose(Duration.ofSeconds(5)).text();
            String deadPeer = WsProbe.parse(welcome).get("peerId").asString();
            dead.sendText("{\"type\":\"subscribe\",\"channel\":\"" + c + "\",\"requestId\":\"d\"}");
            assertThat(dead.readDataOrClose(Duration.ofSeconds(5)).text()).contains("\"ack\"");
            expectPresence(watcher, c, List.of(deadPeer), List.of());
            List<RawWebSocket.Frame> seen = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            RawWebSocket.Frame frame;
            do {
                frame = dead.readFrame(Duration.ofSeconds(3));
                seen.add(frame);
            } while (frame.opcode() != RawWebSocket.EOF && System.nanoTime() < deadline);
            assertThat(frame.opcode()).as("aborted, frames: " + seen).isEqualTo(RawWebSocket.EOF);
            assertThat(seen).as("at least one unanswered ping came first").anyMatch(f -> f.opcode() == RawWebSocket.PING);
            assertThat(seen).as("aborted without a close frame (§9.2)").noneMatch(f -> f.opcode() == RawWebSocket.CLOSE);
            expectPresence(watcher, c, List.of(), List.of(deadPeer));
        }
    }

    @Test
    void connectionThatAnswersPingsStaysOpenWhileIdle() throws InterruptedException {
        WsProbe jdk = pk();
        Thread.sleep(1200);
        expectOpenWithNothingPending(jdk);
    }

    @Test
    void rawClientAnsweringPingsWithPongsStaysOpen() {
        try (RawWebSocket ws = raw(keyQuery(PK_ALL))) {
            assertThat(ws.readDataOrClose(Duration.ofSeconds(5)).text()).contains("\"welcome\"");
            long until = System.nanoTime() + Duration.ofMillis(1200).toNanos();
            while (System.nanoTime() < until) {
                RawWebSocket.Frame f = ws.readFrame(Duration.ofSeconds(2));
                assertThat(f.opcode()).as("only pings while idle, got " + f).isEqualTo(RawWebSocket.PING);
                ws.sendFrame(true, RawWebSocket.PONG, f.payload());
            }
            ws.sendText("{\"type\":\"ping\"}");
            assertThat(ws.readDataOrClose(Duration.ofSeconds(2)).text()).contains("\"pong\"");
        }
    }

    @Test
    void serverNeverSendsApplicationLevelPings() throws InterruptedException {
        WsProbe jdk = pk();
        jdk.expectNothing(Duration.ofMillis(1000));
    }

    @Test
    void anyInboundFrameWithinTheGraceProvesLifeEvenWithoutPongs() {
        try (RawWebSocket ws = raw(keyQuery(PK_ALL))) {
            assertThat(ws.readDataOrClose(Duration.ofSeconds(5)).text()).contains("\"welcome\"");
            long until = System.nanoTime() + Duration.ofMillis(1200).toNanos();
            while (System.nanoTime() < until) {
                ws.sendText("{\"type\":\"ping\"}");
                RawWebSocket.Frame f = ws.readDataOrClose(Duration.ofSeconds(2));
                assertThat(f.opcode()).as("still open, got " + f).isEqualTo(RawWebSocket.TEXT);
                assertThat(f.text()).contains("\"pong\"");
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
