package dev.switchboard.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.protocol.ServerFrames.PresencePeer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ServerFramesTest {

    static String text(byte[] frame) {
        return new String(frame, StandardCharsets.UTF_8);
    }

    @Test
    void welcomeForJwtSessionCarriesExpiresAt() {
        assertThat(text(ServerFrames.welcome("alice", 1715539200L, 1715535601L, 65536, null))).isEqualTo(
                "{\"type\":\"welcome\",\"peerId\":\"alice\",\"expiresAt\":1715539200,\"serverTime\":1715535601,"
                        + "\"maxMessageSize\":65536}");
    }

    @Test
    void welcomeForPublishableKeyAlwaysHasExpiresAtNull() {
        assertThat(text(ServerFrames.welcome("7d1f", null, 1715535600L, Limits.MAX_MESSAGE_SIZE, null))).isEqualTo(
                "{\"type\":\"welcome\",\"peerId\":\"7d1f\",\"expiresAt\":null,\"serverTime\":1715535600,"
                        + "\"maxMessageSize\":65536}");
    }

    @Test
    void welcomeSplicesMetadataLast() {
        RawJson metadata = RawJson.of("{\"iceServers\":[{\"urls\":[\"stun:stun.example.org:3478\"]}]}");
        assertThat(text(ServerFrames.welcome("alice", 1L, 0L, 1, metadata))).isEqualTo(
                "{\"type\":\"welcome\",\"peerId\":\"alice\",\"expiresAt\":1,\"serverTime\":0,\"maxMessageSize\":1,"
                        + "\"metadata\":{\"iceServers\":[{\"urls\":[\"stun:stun.example.org:3478\"]}]}}");
    }

    @Test
    void welcomeWritesExtremeNumbers() {
        assertThat(text(ServerFrames.welcome("p", Long.MIN_VALUE, Long.MAX_VALUE, -1, null))).isEqualTo(
                "{\"type\":\"welcome\",\"peerId\":\"p\",\"expiresAt\":-9223372036854775808,"
                        + "\"serverTime\":9223372036854775807,\"maxMessageSize\":-1}");
    }

    @Test
    void ackEchoesRequestId() {
        assertThat(text(ServerFrames.ack("pub-1"))).isEqualTo("{\"type\":\"ack\",\"requestId\":\"pub-1\"}");
    }

    @Test
    void ackOfAChannelWithHistoryGivesThePositionAndWhetherItRecovered() {
        assertThat(text(ServerFrames.ack("s1", 42, "k3x9", null)))
                .isEqualTo("{\"type\":\"ack\",\"requestId\":\"s1\",\"offset\":42,\"epoch\":\"k3x9\"}");
        assertThat(text(ServerFrames.ack("s2", 0, "e", true)))
                .isEqualTo("{\"type\":\"ack\",\"requestId\":\"s2\",\"offset\":0,\"epoch\":\"e\",\"recovered\":true}");
        assertThat(text(ServerFrames.ack("s3", Long.MAX_VALUE, "e", false))).endsWith(
                "\"offset\":" + Long.MAX_VALUE + ",\"epoch\":\"e\",\"recovered\":false}");
    }

    @Test
    void messageOfAChannelWithHistoryEndsWithItsPosition() {
        assertThat(text(ServerFrames.message("room-1", "alice", RawJson.of("1"), RawJson.of("{}"), 7, "k3x9")))
                .isEqualTo("{\"type\":\"message\",\"channel\":\"room-1\",\"from\":\"alice\",\"data\":1,"
                        + "\"fromMetadata\":{},\"offset\":7,\"epoch\":\"k3x9\"}");
        assertThat(ServerFrames.message("c", "a", RawJson.NULL, null, -1, "e"))
                .isEqualTo(ServerFrames.message("c", "a", RawJson.NULL, null));
    }

    @Test
    void presenceCountIsAPresenceFrameWithEmptyListsAndACount() {
        assertThat(text(ServerFrames.presenceCount("live", 10_000))).isEqualTo(
                "{\"type\":\"presence\",\"channel\":\"live\",\"joined\":[],\"left\":[],\"count\":10000}");
    }

    @Test
    void errorHasRequestIdBeforeCodeThenMessage() {
        assertThat(text(ServerFrames.error(ErrorCode.PEER_NOT_FOUND, "a3", "peer not online: nobody"))).isEqualTo(
                "{\"type\":\"error\",\"requestId\":\"a3\",\"code\":\"peer_not_found\",\"message\":\"peer not online: nobody\"}");
    }

    @Test
    void errorOmitsAbsentRequestIdAndMessage() {
        assertThat(text(ServerFrames.error(ErrorCode.MALFORMED_MESSAGE, null, null)))
                .isEqualTo("{\"type\":\"error\",\"code\":\"malformed_message\"}");
        assertThat(text(ServerFrames.error(ErrorCode.UNKNOWN_TYPE, null, "unknown type")))
                .isEqualTo("{\"type\":\"error\",\"code\":\"unknown_type\",\"message\":\"unknown type\"}");
    }

    @Test
    void messageCarriesDataAndOptionalFromMetadata() {
        assertThat(text(ServerFrames.message("room-1", "7d1f", RawJson.of("{\"text\":\"hi\"}"), null))).isEqualTo(
                "{\"type\":\"message\",\"channel\":\"room-1\",\"from\":\"7d1f\",\"data\":{\"text\":\"hi\"}}");
        assertThat(text(ServerFrames.message("room-1", "alice", RawJson.NULL, RawJson.of("{\"username\":\"Alice\"}"))))
                .isEqualTo("{\"type\":\"message\",\"channel\":\"room-1\",\"from\":\"alice\",\"data\":null,"
                        + "\"fromMetadata\":{\"username\":\"Alice\"}}");
    }

    @Test
    void messageSplicesASliceOfALargerArray() {
        byte[] backing = "xx[1,2]yy".getBytes(StandardCharsets.UTF_8);
        assertThat(text(ServerFrames.message("c", "f", RawJson.wrap(backing, 2, 5), null)))
                .isEqualTo("{\"type\":\"message\",\"channel\":\"c\",\"from\":\"f\",\"data\":[1,2]}");
    }

    @Test
    void directHasNoChannel() {
        assertThat(text(ServerFrames.direct("alice", RawJson.of("{\"x\":1}"), RawJson.of("{\"username\":\"Alice\"}"))))
                .isEqualTo("{\"type\":\"direct\",\"from\":\"alice\",\"data\":{\"x\":1},\"fromMetadata\":{\"username\":\"Alice\"}}");
        assertThat(text(ServerFrames.direct("alice", RawJson.of("1"), null)))
                .isEqualTo("{\"type\":\"direct\",\"from\":\"alice\",\"data\":1}");
    }

    @Test
    void presenceAlwaysHasBothArrays() {
        assertThat(text(ServerFrames.presence("room-1", List.of(), List.of())))
                .isEqualTo("{\"type\":\"presence\",\"channel\":\"room-1\",\"joined\":[],\"left\":[]}");
    }

    @Test
    void presenceEntriesHaveMetadataOnlyWhenKnown() {
        List<PresencePeer> joined = List.of(
                new PresencePeer("bob", RawJson.of("{\"username\":\"Bob\"}")), new PresencePeer("carol", null));
        List<PresencePeer> left = List.of(new PresencePeer("alice", RawJson.of("{\"username\":\"Alice\"}")));
        assertThat(text(ServerFrames.presence("room-1", joined, left))).isEqualTo(
                "{\"type\":\"presence\",\"channel\":\"room-1\",\"joined\":[{\"peerId\":\"bob\",\"metadata\":{\"username\":\"Bob\"}},"
                        + "{\"peerId\":\"carol\"}],\"left\":[{\"peerId\":\"alice\",\"metadata\":{\"username\":\"Alice\"}}]}");
    }

    @Test
    void goingAwayAndPong() {
        assertThat(text(ServerFrames.goingAway(Limits.GOING_AWAY_RETRY_AFTER_MS)))
                .isEqualTo("{\"type\":\"going_away\",\"retryAfterMs\":1000}");
        assertThat(text(ServerFrames.pong())).isEqualTo("{\"type\":\"pong\"}");
        byte[] first = ServerFrames.pong();
        first[0] = 'x';
        assertThat(text(ServerFrames.pong())).isEqualTo("{\"type\":\"pong\"}");
    }

    @Test
    void stringsEscapeQuotesBackslashesAndControlChars() {
        assertThat(text(ServerFrames.ack("a\"b\\c/d\b\f\n\r\t\u0000\u001f\u007f")))
                .isEqualTo("{\"type\":\"ack\",\"requestId\":\"a\\\"b\\\\c/d\\b\\f\\n\\r\\t\\u0000\\u001f\u007f\"}");
    }

    @Test
    void nonAsciiIsWrittenAsUtf8() {
        byte[] frame = ServerFrames.ack("é€😀\u0085\u2028");
        assertThat(frame).isEqualTo("{\"type\":\"ack\",\"requestId\":\"é€😀\u0085\u2028\"}".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void loneSurrogatesBecomeReplacementCharacters() {
        assertThat(text(ServerFrames.ack("a\ud800b\udc00c\ud83d"))).isEqualTo("{\"type\":\"ack\",\"requestId\":\"a\ufffdb\ufffdc\ufffd\"}");
        assertThat(text(ServerFrames.ack("\udc00\ud83d\ude00"))).isEqualTo("{\"type\":\"ack\",\"requestId\":\"\ufffd😀\"}");
    }

    @Test
    void escapedStringsRoundTripThroughTheDecoder() {
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            StringBuilder sb = new StringBuilder();
            int n = random.nextInt(12);
            for (int k = 0; k < n; k++) {
                int kind = random.nextInt(4);
                sb.append(kind == 0 ? (char) random.nextInt(0x80) : kind == 1 ? (char) random.nextInt(0x800)
                        : kind == 2 ? (char) random.nextInt(0x10000) : "😀".charAt(0));
            }
            String s = sb.toString();
            // whatever the chars, the frame is valid JSON that reads back as the string (lone surrogates as U+FFFD)
            byte[] frame = ServerFrames.ack(s);
            String expected = s.codePoints()
                    .map(cp -> Character.isSurrogate((char) cp) && cp <= 0xFFFF ? 0xFFFD : cp)
                    .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
            assertThat(JsonValues.tokensOf(RawJson.wrap(frame))).as("%s", s)
                    .containsExactly("START_OBJECT", "PROPERTY_NAME:type", "VALUE_STRING:ack",
                            "PROPERTY_NAME:requestId", "VALUE_STRING:" + expected, "END_OBJECT");
        }
    }

    @Test
    void requiredArgumentsMustNotBeNull() {
        assertThatThrownBy(() -> ServerFrames.ack(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ServerFrames.message("c", "f", null, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new PresencePeer(null, null)).isInstanceOf(NullPointerException.class);
    }
}
