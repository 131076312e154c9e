package dev.switchboard.testkit;

import static dev.switchboard.testkit.TestServer.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** protocol.md §13.1: the 65,536-byte payload cap and the 4 KiB envelope allowance, both closing 1009. */
class SizeLimitIT extends ServerTestBase {

    private static final int MAX = 65_536;
    private static final int FRAME_MAX = MAX + 4_096;

    /** A JSON string literal whose raw text is exactly {@code bytes} long. */
    private static String stringOfBytes(int bytes) {
        return "\"" + "x".repeat(bytes - 2) + "\"";
    }

    private static String publish(String channel, String rawData) {
        return "{\"type\":\"publish\",\"channel\":\"" + channel + "\",\"data\":" + rawData + ",\"requestId\":\"big\"}";
    }

    @Test
    void publishOf65535And65536BytesOfDataIsDeliveredAnd65537ClosesWith1009() {
        String c = channel("size");
        WsProbe listener = pk();
        subscribe(listener, c);
        WsProbe p = pk();
        for (int size : List.of(MAX - 1, MAX)) {
            p.send(publish(c, stringOfBytes(size)));
            expectAck(p, "big");
            assertThat(listener.expectType("message").get("data").asString()).hasSize(size - 2);
        }
        p.send(publish(c, stringOfBytes(MAX + 1)));
        assertReasonFits(p.expectClose(1009));
        listener.expectNothing(QUIET);
    }

    @Test
    void payloadSizeIsMeasuredInUtf8BytesOfTheRawJson() {
        String c = channel("mb");
        WsProbe listener = pk();
        subscribe(listener, c);
        WsProbe p = pk();
        String fits = "\"" + "é".repeat((MAX - 2) / 2) + "\"";
        assertThat(utf8Length(fits)).isEqualTo(MAX);
        p.send(publish(c, fits));
        expectAck(p, "big");
        listener.expectType("message");
        String over = "\"" + "é".repeat((MAX - 2) / 2) + "a\"";
        p.send(publish(c, over));
        p.expectClose(1009);
    }

    @Test
    void sendOf65536BytesIsDeliveredAnd65537ClosesWith1009AndOthersSeeLeft() {
        String c = channel("sendsize");
        WsProbe target = pk();
        subscribe(target, c);
        WsProbe p = pk();
        subscribe(p, c);
        expectPresence(target, c, List.of(p.peerId()), List.of());
        p.send("{\"type\":\"send\",\"to\":\"" + target.peerId() + "\",\"data\":" + stringOfBytes(MAX) + ",\"requestId\":\"s\"}");
        expectAck(p, "s");
        target.expectType("direct");
        p.send("{\"type\":\"send\",\"to\":\"" + target.peerId() + "\",\"data\":" + stringOfBytes(MAX + 1) + "}");
        p.expectClose(1009);
        expectPresence(target, c, List.of(), List.of(p.peerId()));
    }

    @Test
    void frameOfMaxMessageSizePlus4096BytesIsAcceptedAndOneByteMoreClosesWith1009() {
        String c = channel("frame");
        WsProbe p = pk();
        String head = "{\"type\":\"publish\",\"channel\":\"" + c + "\",\"data\":" + stringOfBytes(MAX)
                + ",\"requestId\":\"f\",\"pad\":\"";
        String tail = "\"}";
        String exact = head + "p".repeat(FRAME_MAX - head.length() - tail.length()) + tail;
        assertThat(utf8Length(exact)).isEqualTo(FRAME_MAX);
        p.send(exact);
        expectAck(p, "f");
        String over = head + "p".repeat(FRAME_MAX + 1 - head.length() - tail.length()) + tail;
        p.send(over);
        p.expectClose(1009);
    }

    @Test
    void oversizeFrameSentRawClosesWith1009() {
        try (RawWebSocket ws = raw(keyQuery(PK_ALL))) {
            assertThat(ws.readDataOrClose(Duration.ofSeconds(5)).text()).contains("\"welcome\"");
            byte[] payload = ("{\"type\":\"ping\",\"pad\":\"" + "z".repeat(FRAME_MAX) + "\"}").getBytes(StandardCharsets.UTF_8);
            try {
                ws.sendFrame(true, RawWebSocket.TEXT, payload);
            } catch (java.io.UncheckedIOException ignored) {
                // the server may close before reading everything
            }
            RawWebSocket.Frame frame = ws.readDataOrClose(Duration.ofSeconds(5));
            assertThat(frame.opcode()).as("close, got " + frame).isEqualTo(RawWebSocket.CLOSE);
            assertThat(frame.closeCode()).isEqualTo(1009);
        }
    }

    @Test
    void fragmentedMessageOverTheFrameLimitClosesWith1009() {
        try (RawWebSocket ws = raw(keyQuery(PK_ALL))) {
            assertThat(ws.readDataOrClose(Duration.ofSeconds(5)).text()).contains("\"welcome\"");
            byte[] part = "z".repeat(40_000).getBytes(StandardCharsets.UTF_8);
            try {
                ws.sendFrame(false, RawWebSocket.TEXT, ("{\"type\":\"ping\",\"pad\":\"").getBytes(StandardCharsets.UTF_8));
                ws.sendFrame(false, RawWebSocket.CONTINUATION, part);
                ws.sendFrame(false, RawWebSocket.CONTINUATION, part);
                ws.sendFrame(true, RawWebSocket.CONTINUATION, "\"}".getBytes(StandardCharsets.UTF_8));
            } catch (java.io.UncheckedIOException ignored) {
                // the server may close before reading everything
            }
            RawWebSocket.Frame frame = ws.readDataOrClose(Duration.ofSeconds(5));
            assertThat(frame.opcode()).as("close, got " + frame).isEqualTo(RawWebSocket.CLOSE);
            assertThat(frame.closeCode()).isEqualTo(1009);
        }
    }

    @Test
    void outboundFramesMayExceedTheInboundCap() {
        String c = channel("out");
        WsProbe listener = pk();
        subscribe(listener, c, true);
        String meta = "{\"k\":\"" + "m".repeat(4096 - 8) + "\"}";
        WsProbe alice = jwt(server.tokenFor(sub("alice")).peerMetadata(meta));
        alice.send(publish(c, stringOfBytes(MAX)));
        expectAck(alice, "big");
        JsonNode message = listener.expectType("message");
        assertThat(message.get("fromMetadata")).isEqualTo(WsProbe.parse(meta));
        assertThat(message.toString().length()).isGreaterThan(FRAME_MAX);
    }

    @Test
    void configuredMaxMessageSizeIsAdvertisedAndEnforcedWithTheSameAllowance() {
        try (TestServer small = TestServer.start(TestServer.defaultConfig("maxMessageSize: 1024"))) {
            WsProbe p = track(WsProbe.connect(small, keyQuery(PK_ALL)));
            assertThat(p.awaitWelcome().get("maxMessageSize").asInt()).isEqualTo(1024);
            p.send(publish("c", stringOfBytes(1024)));
            expectAck(p, "big");
            String head = "{\"type\":\"publish\",\"channel\":\"c\",\"data\":1,\"requestId\":\"f\",\"pad\":\"";
            String tail = "\"}";
            p.send(head + "p".repeat(1024 + 4096 - head.length() - tail.length()) + tail);
            expectAck(p, "f");
            p.send(publish("c", stringOfBytes(1025)));
            p.expectClose(1009);
            WsProbe q = track(WsProbe.welcomed(small, keyQuery(PK_ALL)));
            q.send(head + "p".repeat(1024 + 4097 - head.length() - tail.length()) + tail);
            q.expectClose(1009);
        }
    }
}
