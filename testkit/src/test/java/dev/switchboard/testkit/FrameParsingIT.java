package dev.switchboard.testkit;

import static dev.switchboard.testkit.TestServer.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** protocol.md §1.3, §3: text frames, requestId rules, processing order and parse failures (§3.4). */
class FrameParsingIT extends ServerTestBase {

    @Test
    void textThatIsNotJsonAnswersMalformedMessageAndTheConnectionStaysOpen() {
        WsProbe p = pk();
        p.send("{not json");
        expectError(p, "malformed_message", null);
        expectOpenWithNothingPending(p);
    }

    @Test
    void jsonThatIsNotAnObjectAnswersMalformedMessage() {
        WsProbe p = pk();
        for (String text : List.of("[]", "[{\"type\":\"ping\"}]", "\"ping\"", "42", "null", "true")) {
            p.send(text);
            expectError(p, "malformed_message", null);
        }
        expectOpenWithNothingPending(p);
    }

    @Test
    void objectWithoutTypeAnswersMalformedMessageWithItsValidRequestId() {
        WsProbe p = pk();
        p.send("{\"channel\":\"x\",\"requestId\":\"no-type\"}");
        expectError(p, "malformed_message", "no-type");
        p.send("{}");
        expectError(p, "malformed_message", null);
        expectOpenWithNothingPending(p);
    }

    @Test
    void typeThatIsNotAStringAnswersMalformedMessage() {
        WsProbe p = pk();
        p.send("{\"type\":1,\"requestId\":\"t-num\"}");
        expectError(p, "malformed_message", "t-num");
        p.send("{\"type\":null}");
        expectError(p, "malformed_message", null);
        p.send("{\"type\":[\"ping\"]}");
        expectError(p, "malformed_message", null);
        expectOpenWithNothingPending(p);
    }

    @Test
    void unknownTypeAnswersUnknownTypeEchoingTheRequestId() {
        WsProbe p = pk();
        p.sendFrame("type", "teleport", "requestId", "u1");
        expectError(p, "unknown_type", "u1");
        p.sendFrame("type", "teleport");
        expectError(p, "unknown_type", null);
        expectOpenWithNothingPending(p);
    }

    @Test
    void typeIsCaseSensitive() {
        WsProbe p = pk();
        p.sendFrame("type", "Subscribe", "channel", channel("c"), "requestId", "cs");
        expectError(p, "unknown_type", "cs");
        p.sendFrame("type", "PING");
        expectError(p, "unknown_type", null);
    }

    @Test
    void serverFrameTypesSentByAClientAreUnknownTypes() {
        WsProbe p = pk();
        for (String type : List.of("welcome", "ack", "error", "message", "direct", "presence", "going_away", "pong")) {
            p.sendFrame("type", type, "requestId", "s-" + type);
            expectError(p, "unknown_type", "s-" + type);
        }
    }

    @Test
    void binaryFrameAnswersMalformedMessageAndTheConnectionStaysOpen() {
        WsProbe p = pk();
        p.sendBinary("{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_8));
        expectError(p, "malformed_message", null);
        expectOpenWithNothingPending(p);
    }

    @Test
    void pingAnswersPongWithoutAck() {
        WsProbe p = pk();
        p.sendFrame("type", "ping");
        JsonNode pong = p.expectType("pong");
        assertThat(pong.path("type").asString()).isEqualTo("pong");
        p.expectNothing(QUIET);
    }

    @Test
    void pingWithRequestIdGetsPongAndNoAckOrError() {
        WsProbe p = pk();
        p.sendFrame("type", "ping", "requestId", "p1", "extra", 5);
        JsonNode pong = p.expectType("pong");
        if (pong.has("requestId")) {
            assertThat(pong.get("requestId").asString()).isEqualTo("p1");
        }
        p.expectNothing(QUIET);
    }

    @Test
    void unknownExtraFieldsInClientFramesAreIgnored() {
        WsProbe p = pk();
        String c = channel("extra");
        p.sendFrame("type", "subscribe", "channel", c, "requestId", "x1", "foo", "bar", "nested",
                WsProbe.parse("{\"a\":[1]}"));
        expectAck(p, "x1");
        p.expectType("presence");
    }

    // ------------------------------------------------------------------------------ requestId

    @Test
    void requestIdOf127And128BytesIsEchoedAnd129IsMalformedAndNotExecuted() {
        WsProbe p = pk();
        WsProbe listener = pk();
        String c = channel("rid");
        subscribe(listener, c);
        String r127 = "a".repeat(127);
        String r128 = "b".repeat(128);
        p.sendFrame("type", "publish", "channel", c, "data", 1, "requestId", r127);
        expectAck(p, r127);
        p.sendFrame("type", "publish", "channel", c, "data", 2, "requestId", r128);
        expectAck(p, r128);
        p.sendFrame("type", "publish", "channel", c, "data", 3, "requestId", "c".repeat(129));
        expectError(p, "malformed_message", null);
        assertThat(listener.expectType("message").get("data").asInt()).isEqualTo(1);
        assertThat(listener.expectType("message").get("data").asInt()).isEqualTo(2);
        listener.expectNothing(QUIET);
    }

    @Test
    void requestIdLengthIsMeasuredInUtf8Bytes() {
        WsProbe p = pk();
        String c = channel("rid");
        String r128Bytes = "é".repeat(64);
        p.sendFrame("type", "unsubscribe", "channel", c, "requestId", r128Bytes);
        expectAck(p, r128Bytes);
        p.sendFrame("type", "unsubscribe", "channel", c, "requestId", "é".repeat(64) + "a");
        expectError(p, "malformed_message", null);
    }

    @Test
    void requestIdIsEchoedByteForByte() {
        WsProbe p = pk();
        String weird = "ünï-€-\uD83D\uDE00 \"quoted\" \\ / <tag>";
        p.sendFrame("type", "unsubscribe", "channel", channel("c"), "requestId", weird);
        expectAck(p, weird);
        p.sendFrame("type", "subscribe", "channel", "", "requestId", weird);
        expectError(p, "invalid_channel", weird);
    }

    @Test
    void emptyNumericOrNullRequestIdMakesTheFrameMalformedWithoutRequestId() {
        WsProbe p = pk();
        WsProbe listener = pk();
        String c = channel("rid");
        subscribe(listener, c);
        p.send("{\"type\":\"publish\",\"channel\":\"" + c + "\",\"data\":1,\"requestId\":\"\"}");
        expectError(p, "malformed_message", null);
        p.send("{\"type\":\"publish\",\"channel\":\"" + c + "\",\"data\":1,\"requestId\":7}");
        expectError(p, "malformed_message", null);
        p.send("{\"type\":\"publish\",\"channel\":\"" + c + "\",\"data\":1,\"requestId\":null}");
        expectError(p, "malformed_message", null);
        p.send("{\"type\":\"publish\",\"channel\":\"" + c + "\",\"data\":1,\"requestId\":[\"r\"]}");
        expectError(p, "malformed_message", null);
        listener.expectNothing(QUIET);
    }

    @Test
    void everyFrameWithRequestIdGetsExactlyOneAckOrErrorInArrivalOrder() {
        WsProbe p = pk(PK_ROOMS);
        String room = "room-" + sub("x");
        p.sendFrame("type", "subscribe", "channel", room, "requestId", "1");
        p.sendFrame("type", "subscribe", "channel", "lobby", "requestId", "2");
        p.sendFrame("type", "publish", "channel", room, "data", "hi", "requestId", "3");
        p.sendFrame("type", "publish", "channel", room, "requestId", "4");
        p.sendFrame("type", "send", "to", "nobody-" + sub("n"), "data", 1, "requestId", "5");
        p.sendFrame("type", "unsubscribe", "channel", room, "requestId", "6");
        p.sendFrame("type", "bogus", "requestId", "7");
        p.sendFrame("type", "unsubscribe", "channel", "never", "requestId", "8");
        expectAck(p, "1");
        expectPresence(p, room, List.of(), List.of());
        expectError(p, "channel_not_authorized", "2");
        expectAck(p, "3");
        expectError(p, "missing_data", "4");
        expectError(p, "peer_not_found", "5");
        expectAck(p, "6");
        expectError(p, "unknown_type", "7");
        expectAck(p, "8");
        expectOpenWithNothingPending(p);
        p.expectNothing(QUIET);
    }

    @Test
    void framesWithoutRequestIdSucceedSilentlyAndFailWithUncorrelatedErrors() {
        WsProbe p = pk();
        String c = channel("silent");
        p.sendFrame("type", "subscribe", "channel", c);
        expectPresence(p, c, List.of(), List.of());
        p.sendFrame("type", "publish", "channel", c, "data", 1);
        p.sendFrame("type", "unsubscribe", "channel", c);
        p.sendFrame("type", "subscribe", "channel", "");
        expectError(p, "invalid_channel", null);
        expectOpenWithNothingPending(p);
    }

    @Test
    void serverSendsTextFramesOnly() {
        WsProbe a = pk();
        WsProbe b = pk();
        String c = channel("text");
        subscribe(a, c);
        subscribe(b, c);
        expectPresence(a, c, List.of(b.peerId()), List.of());
        a.sendFrame("type", "publish", "channel", c, "data", "x", "requestId", "p");
        expectAck(a, "p");
        b.expectType("message");
        for (WsProbe p : List.of(a, b)) {
            assertThat(p.history()).allMatch(e -> e.kind() == WsProbe.Event.Kind.TEXT);
        }
    }

    // ------------------------------------------------------------------------------ byte level

    @Test
    void textFrameWithInvalidUtf8IsTextThatIsNotJsonAndAnswersMalformedMessage() {
        // §3.4 "text that is not valid JSON" (JSON text is UTF-8); §15 lists no 1007, so the connection stays open.
        try (RawWebSocket ws = raw(keyQuery(PK_ALL))) {
            assertThat(ws.readDataOrClose(Duration.ofSeconds(5)).text()).contains("\"welcome\"");
            ws.sendFrame(true, RawWebSocket.TEXT, new byte[] {'{', '"', 't', (byte) 0xC3, (byte) 0x28, '"', '}'});
            RawWebSocket.Frame frame = ws.readDataOrClose(Duration.ofSeconds(5));
            assertThat(frame.opcode()).as("text frame, got " + frame).isEqualTo(RawWebSocket.TEXT);
            JsonNode error = WsProbe.parse(frame.text());
            assertThat(error.path("type").asString()).isEqualTo("error");
            assertThat(error.path("code").asString()).isEqualTo("malformed_message");
            ws.sendText("{\"type\":\"ping\"}");
            assertThat(ws.readDataOrClose(Duration.ofSeconds(5)).text()).contains("\"pong\"");
        }
    }

    @Test
    void invalidUtf8InsideDataIsRefusedAndNeverReachesSubscribers() {
        // A browser recipient fails its whole connection on a text frame with invalid UTF-8 (decisions.md D1).
        WsProbe listener = pk();
        String c = channel("utf8");
        subscribe(listener, c);
        try (RawWebSocket ws = raw(keyQuery(PK_ALL))) {
            assertThat(ws.readDataOrClose(Duration.ofSeconds(5)).text()).contains("\"welcome\"");
            byte[] head = ("{\"type\":\"publish\",\"channel\":\"" + c + "\",\"data\":\"x").getBytes(StandardCharsets.UTF_8);
            byte[] frame = java.util.Arrays.copyOf(head, head.length + 4);
            frame[head.length] = (byte) 0xED; // an encoded UTF-16 surrogate: not UTF-8
            frame[head.length + 1] = (byte) 0xA0;
            frame[head.length + 2] = (byte) 0x80;
            frame[head.length + 3] = '"';
            byte[] closed = java.util.Arrays.copyOf(frame, frame.length + 1);
            closed[frame.length] = '}';
            ws.sendFrame(true, RawWebSocket.TEXT, closed);
            JsonNode error = WsProbe.parse(ws.readDataOrClose(Duration.ofSeconds(5)).text());
            assertThat(error.path("code").asString()).isEqualTo("malformed_message");
        }
        listener.expectNothing(QUIET);
    }

    @Test
    void fragmentedTextMessageIsReassembled() {
        try (RawWebSocket ws = raw(keyQuery(PK_ALL))) {
            assertThat(ws.readDataOrClose(Duration.ofSeconds(5)).text()).contains("\"welcome\"");
            String c = channel("frag");
            byte[] whole = ("{\"type\":\"subscribe\",\"channel\":\"" + c + "\",\"requestId\":\"frag-1\"}")
                    .getBytes(StandardCharsets.UTF_8);
            int third = whole.length / 3;
            ws.sendFrame(false, RawWebSocket.TEXT, java.util.Arrays.copyOfRange(whole, 0, third));
            ws.sendFrame(false, RawWebSocket.CONTINUATION, java.util.Arrays.copyOfRange(whole, third, 2 * third));
            ws.sendFrame(true, RawWebSocket.CONTINUATION, java.util.Arrays.copyOfRange(whole, 2 * third, whole.length));
            JsonNode ack = WsProbe.parse(ws.readDataOrClose(Duration.ofSeconds(5)).text());
            assertThat(ack.path("type").asString()).isEqualTo("ack");
            assertThat(ack.path("requestId").asString()).isEqualTo("frag-1");
            JsonNode snapshot = WsProbe.parse(ws.readDataOrClose(Duration.ofSeconds(5)).text());
            assertThat(snapshot.path("type").asString()).isEqualTo("presence");
        }
    }

    @Test
    void framesPipelinedWithTheUpgradeAreAnsweredAfterTheWelcome() {
        try (RawWebSocket ws = RawWebSocket.open(server.port(), "/v1?" + keyQuery(PK_ALL), java.util.Map.of())) {
            ws.sendText("{\"type\":\"ping\"}");
            ws.sendText("{\"type\":\"unsubscribe\",\"channel\":\"x\",\"requestId\":\"early\"}");
            assertThat(ws.readDataOrClose(Duration.ofSeconds(5)).text()).contains("\"welcome\"");
            assertThat(ws.readDataOrClose(Duration.ofSeconds(5)).text()).contains("\"pong\"");
            assertThat(ws.readDataOrClose(Duration.ofSeconds(5)).text()).contains("\"early\"");
        }
    }

    @Test
    void clientPingControlFrameIsAnsweredWithPongControlFrame() {
        try (RawWebSocket ws = raw(keyQuery(PK_ALL))) {
            assertThat(ws.readDataOrClose(Duration.ofSeconds(5)).text()).contains("\"welcome\"");
            ws.sendFrame(true, RawWebSocket.PING, new byte[] {9, 8, 7});
            RawWebSocket.Frame pong = ws.readFrame(Duration.ofSeconds(5));
            assertThat(pong.opcode()).isEqualTo(RawWebSocket.PONG);
            assertThat(pong.payload()).containsExactly(9, 8, 7);
        }
    }
}
