package dev.switchboard.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FrameDecoderTest {

    static ClientFrame decode(String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        return FrameDecoder.decode(bytes, 0, bytes.length);
    }

    static void assertInvalid(ClientFrame frame, ErrorCode code, String requestId) {
        assertThat(frame).isInstanceOf(Invalid.class);
        Invalid invalid = (Invalid) frame;
        assertThat(invalid.code()).isEqualTo(code);
        assertThat(invalid.requestId()).isEqualTo(requestId);
        assertThat(invalid.message()).isNotBlank();
        assertThat(frame.requestId()).isEqualTo(requestId);
    }

    @Nested
    class ParseFailures {
        @ParameterizedTest
        @ValueSource(strings = {"", " ", "{", "{\"type\":\"ping\"", "nope", "{\"type\":ping}", "{'type':'ping'}",
            "{\"type\":\"subscribe\",}", "{\"a\":NaN}", "{\"a\":01}", "\u0000{}", "{\"type\":\"ping\"}x",
            "{\"type\":\"ping\"}{}", "{\"type\":\"ping\"} []", "{\"a\":\"\u0001\"}"})
        void textThatIsNotOneJsonObjectIsMalformed(String text) {
            assertInvalid(decode(text), ErrorCode.MALFORMED_MESSAGE, null);
        }

        @ParameterizedTest
        @ValueSource(strings = {"[]", "[{\"type\":\"ping\"}]", "\"ping\"", "1", "null", "true"})
        void jsonThatIsNotAnObjectIsMalformed(String text) {
            assertInvalid(decode(text), ErrorCode.MALFORMED_MESSAGE, null);
        }

        @Test
        void invalidUtf8IsMalformed() {
            byte[] bytes = {'{', '"', 't', 'y', 'p', 'e', '"', ':', '"', (byte) 0xC3, '"', '}'};
            assertInvalid(FrameDecoder.decode(bytes, 0, bytes.length), ErrorCode.MALFORMED_MESSAGE, null);
            byte[] data = "{\"type\":\"publish\",\"channel\":\"c\",\"data\":\"\u00ff\"}".getBytes(StandardCharsets.ISO_8859_1);
            assertInvalid(FrameDecoder.decode(data, 0, data.length), ErrorCode.MALFORMED_MESSAGE, null);
        }

        @Test
        void invalidUtf8InsideSkippedDataIsMalformedSoItIsNeverForwarded() {
            byte[][] invalid = {
                {(byte) 0xC0, (byte) 0xAF},                          // overlong '/'
                {(byte) 0xE0, (byte) 0x80, (byte) 0xAF},             // overlong, 3 bytes
                {(byte) 0xED, (byte) 0xA0, (byte) 0x80},             // UTF-16 surrogate D800
                {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // above U+10FFFF
                {(byte) 0x80},                                       // stray continuation
                {(byte) 0xE2, (byte) 0x82},                          // truncated sequence
            };
            for (byte[] bad : invalid) {
                byte[] head = "{\"type\":\"publish\",\"channel\":\"c\",\"data\":{\"a\":[\"x".getBytes(StandardCharsets.UTF_8);
                byte[] tail = "\"]}}".getBytes(StandardCharsets.UTF_8);
                byte[] frame = new byte[head.length + bad.length + tail.length];
                System.arraycopy(head, 0, frame, 0, head.length);
                System.arraycopy(bad, 0, frame, head.length, bad.length);
                System.arraycopy(tail, 0, frame, head.length + bad.length, tail.length);
                assertInvalid(FrameDecoder.decode(frame, 0, frame.length), ErrorCode.MALFORMED_MESSAGE, null);
            }
        }

        @Test
        void everyWellFormedSequenceLengthIsAcceptedInData() {
            ClientFrame frame = decode("{\"type\":\"publish\",\"channel\":\"c\",\"data\":\"a\u00e9\u20ac\ud83d\ude00\"}");
            assertThat(frame).isInstanceOf(Publish.class);
            assertThat(((Publish) frame).data().toString()).isEqualTo("\"a\u00e9\u20ac\ud83d\ude00\"");
        }

        @Test
        void invalidUtf8InAPropertyNameIsMalformedEvenAfterTheShortNameWasSeen() {
            // Jackson's shared symbol table once matched the padded quad of "to" for these bytes (fuzz finding)
            decode("{\"to\":\"x\",\"ata\":1,\"type\":\"ping\"}");
            byte[] bytes = {'{', '"', 't', 'y', 'p', 'e', '"', ':', '"', 'p', 'i', 'n', 'g', '"', ',',
                '"', (byte) 0xFF, (byte) 0xFF, 't', 'o', '"', ':', '1', '}'};
            assertInvalid(FrameDecoder.decode(bytes, 0, bytes.length), ErrorCode.MALFORMED_MESSAGE, null);
        }

        @Test
        void utf16TextIsMalformedEvenWhenItWouldParse() {
            byte[] bytes = "{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_16LE);
            assertInvalid(FrameDecoder.decode(bytes, 0, bytes.length), ErrorCode.MALFORMED_MESSAGE, null);
        }

        @Test
        void absurdNestingIsMalformedNotAnException() {
            String deep = "[".repeat(100_000) + "]".repeat(100_000);
            assertInvalid(decode("{\"type\":\"publish\",\"channel\":\"c\",\"data\":" + deep + "}"),
                    ErrorCode.MALFORMED_MESSAGE, null);
        }

        @Test
        void badArgumentsAreMalformedNotAnException() {
            assertInvalid(FrameDecoder.decode(null, 0, 0), ErrorCode.MALFORMED_MESSAGE, null);
            assertInvalid(FrameDecoder.decode(new byte[2], 1, 2), ErrorCode.MALFORMED_MESSAGE, null);
            assertInvalid(FrameDecoder.decode(new byte[2], -1, 1), ErrorCode.MALFORMED_MESSAGE, null);
        }

        @Test
        void frameDecodesFromTheMiddleOfAnArray() {
            byte[] bytes = "garbage{\"type\":\"ping\"}garbage".getBytes(StandardCharsets.UTF_8);
            assertThat(FrameDecoder.decode(bytes, 7, 15)).isEqualTo(new Ping(null));
            assertInvalid(FrameDecoder.decode(bytes, 7, 16), ErrorCode.MALFORMED_MESSAGE, null);
        }
    }

    @Nested
    class Type {
        @Test
        void objectWithoutTypeIsMalformedWithRequestId() {
            assertInvalid(decode("{\"requestId\":\"r1\"}"), ErrorCode.MALFORMED_MESSAGE, "r1");
            assertInvalid(decode("{}"), ErrorCode.MALFORMED_MESSAGE, null);
        }

        @ParameterizedTest
        @ValueSource(strings = {"1", "null", "true", "[]", "{}", "[\"ping\"]"})
        void nonStringTypeIsMalformedWithRequestId(String type) {
            assertInvalid(decode("{\"type\":" + type + ",\"requestId\":\"r1\"}"), ErrorCode.MALFORMED_MESSAGE, "r1");
        }

        @ParameterizedTest
        @ValueSource(strings = {"Subscribe", "PING", "hello", "", "going_away", "pong", "ack", " ping"})
        void unknownTypeIsUnknownTypeWithRequestId(String type) {
            assertInvalid(decode("{\"type\":\"" + type + "\",\"requestId\":\"r1\"}"), ErrorCode.UNKNOWN_TYPE, "r1");
            assertInvalid(decode("{\"type\":\"" + type + "\"}"), ErrorCode.UNKNOWN_TYPE, null);
        }

        @Test
        void typeMayComeAfterOtherFields() {
            assertThat(decode("{\"channel\":\"c\",\"requestId\":\"r\",\"type\":\"unsubscribe\"}"))
                    .isEqualTo(new Unsubscribe("c", "r"));
        }

        @Test
        void duplicateKeysLastWins() {
            assertThat(decode("{\"type\":\"publish\",\"type\":\"unsubscribe\",\"channel\":\"a\",\"channel\":\"b\"}"))
                    .isEqualTo(new Unsubscribe("b", null));
            assertInvalid(decode("{\"type\":\"unsubscribe\",\"channel\":\"a\",\"channel\":1}"),
                    ErrorCode.INVALID_CHANNEL, null);
        }

        @Test
        void escapedTypeStringIsDecoded() {
            assertThat(decode("{\"type\":\"p\\u0069ng\"}")).isEqualTo(new Ping(null));
        }
    }

    @Nested
    class RequestId {
        @Test
        void requestIdOf128BytesIsValidAnd129IsMalformedWithoutRequestId() {
            String id127 = "r".repeat(127);
            String id128 = "r".repeat(128);
            assertThat(decode("{\"type\":\"unsubscribe\",\"channel\":\"c\",\"requestId\":\"" + id127 + "\"}"))
                    .isEqualTo(new Unsubscribe("c", id127));
            assertThat(decode("{\"type\":\"unsubscribe\",\"channel\":\"c\",\"requestId\":\"" + id128 + "\"}"))
                    .isEqualTo(new Unsubscribe("c", id128));
            assertInvalid(decode("{\"type\":\"unsubscribe\",\"channel\":\"c\",\"requestId\":\"" + id128 + "r\"}"),
                    ErrorCode.MALFORMED_MESSAGE, null);
        }

        @Test
        void requestIdLengthIsMeasuredInUtf8Bytes() {
            String id128 = "é".repeat(64);
            assertThat(decode("{\"type\":\"unsubscribe\",\"channel\":\"c\",\"requestId\":\"" + id128 + "\"}"))
                    .isEqualTo(new Unsubscribe("c", id128));
            assertInvalid(decode("{\"type\":\"unsubscribe\",\"channel\":\"c\",\"requestId\":\"" + id128 + "x\"}"),
                    ErrorCode.MALFORMED_MESSAGE, null);
            String id127 = "é".repeat(63) + "x";
            assertThat(decode("{\"type\":\"unsubscribe\",\"channel\":\"c\",\"requestId\":\"" + id127 + "\"}"))
                    .isEqualTo(new Unsubscribe("c", id127));
        }

        @ParameterizedTest
        @ValueSource(strings = {"\"\"", "null", "1", "true", "[\"r\"]", "{\"r\":1}"})
        void presentButInvalidRequestIdIsMalformedWithoutRequestId(String value) {
            assertInvalid(decode("{\"type\":\"publish\",\"channel\":\"c\",\"data\":1,\"requestId\":" + value + "}"),
                    ErrorCode.MALFORMED_MESSAGE, null);
        }

        @Test
        void invalidRequestIdOutranksTypeErrors() {
            assertInvalid(decode("{\"requestId\":\"\"}"), ErrorCode.MALFORMED_MESSAGE, null);
            assertInvalid(decode("{\"type\":\"nope\",\"requestId\":7}"), ErrorCode.MALFORMED_MESSAGE, null);
            assertInvalid(decode("{\"type\":\"subscribe\",\"requestId\":7}"), ErrorCode.MALFORMED_MESSAGE, null);
        }

        @Test
        void requestIdIsEchoedVerbatimIncludingEscapes() {
            assertThat(decode("{\"type\":\"unsubscribe\",\"channel\":\"c\",\"requestId\":\"a\\\"b\\\\c\\u00e9 \"}"))
                    .isEqualTo(new Unsubscribe("c", "a\"b\\cé "));
        }
    }

    @Nested
    class PingFrames {
        @Test
        void pingDecodesToPing() {
            assertThat(decode("{\"type\":\"ping\"}")).isEqualTo(new Ping(null));
        }

        @Test
        void pingIgnoresEveryOtherFieldIncludingAnInvalidRequestId() {
            assertThat(decode("{\"type\":\"ping\",\"requestId\":\"r1\"}")).isEqualTo(new Ping(null));
            assertThat(decode("{\"requestId\":\"\",\"type\":\"ping\",\"channel\":7}")).isEqualTo(new Ping(null));
            assertThat(decode("{\"type\":\"ping\",\"requestId\":\"" + "x".repeat(300) + "\"}"))
                    .isEqualTo(new Ping(null));
        }
    }

    @Nested
    class SubscribeFrames {
        @Test
        void subscribeDecodesChannelAndRequestId() {
            assertThat(decode("{\"type\":\"subscribe\",\"channel\":\"app_abc/room-1\",\"requestId\":\"sub-1\"}"))
                    .isEqualTo(new Subscribe("app_abc/room-1", false, "sub-1"));
        }

        @Test
        void includeSenderMetadataIsTrueOnlyForExactlyTrue() {
            assertThat(decode("{\"type\":\"subscribe\",\"channel\":\"c\",\"includeSenderMetadata\":true}"))
                    .isEqualTo(new Subscribe("c", true, null));
            for (String v : new String[] {"false", "\"true\"", "1", "null", "{}", "[true]"}) {
                assertThat(decode("{\"type\":\"subscribe\",\"channel\":\"c\",\"includeSenderMetadata\":" + v + "}"))
                        .as(v).isEqualTo(new Subscribe("c", false, null));
            }
        }

        @Test
        void sinceIsARecoveryPosition() {
            assertThat(decode("{\"type\":\"subscribe\",\"channel\":\"c\",\"since\":{\"epoch\":\"k3\",\"offset\":17,"
                    + "\"extra\":[1]},\"requestId\":\"r\"}"))
                    .isEqualTo(new Subscribe("c", false, "r", new Subscribe.Since(17, "k3")));
            assertThat(decode("{\"type\":\"subscribe\",\"channel\":\"c\",\"since\":{\"offset\":0,\"epoch\":\"\"}}"))
                    .isEqualTo(new Subscribe("c", false, null, new Subscribe.Since(0, "")));
        }

        @ParameterizedTest
        @ValueSource(strings = {"null", "1", "\"x\"", "[]", "{}", "{\"offset\":1}", "{\"epoch\":\"e\"}",
            "{\"offset\":-1,\"epoch\":\"e\"}", "{\"offset\":1.5,\"epoch\":\"e\"}",
            "{\"offset\":99999999999999999999999,\"epoch\":\"e\"}", "{\"offset\":\"1\",\"epoch\":\"e\"}",
            "{\"offset\":1,\"epoch\":7}"})
        void aBadSinceIsMalformedWithTheRequestId(String since) {
            assertThat(decode("{\"type\":\"subscribe\",\"channel\":\"c\",\"requestId\":\"r\",\"since\":" + since + "}"))
                    .isEqualTo(new Invalid(ErrorCode.MALFORMED_MESSAGE, "r", FrameDecoder.BAD_SINCE));
        }

        @Test
        void sinceIsIgnoredOnOtherFrames() {
            assertThat(decode("{\"type\":\"unsubscribe\",\"channel\":\"c\",\"since\":5}"))
                    .isEqualTo(new Unsubscribe("c", null));
        }

        @Test
        void patternSubscriptionIsAnOrdinaryChannelToTheDecoder() {
            assertThat(decode("{\"type\":\"subscribe\",\"channel\":\"devices/*/events\"}"))
                    .isEqualTo(new Subscribe("devices/*/events", false, null));
        }

        @Test
        void reservedChannelIsNotTheDecodersBusiness() {
            assertThat(decode("{\"type\":\"subscribe\",\"channel\":\"_metered/x\"}"))
                    .isEqualTo(new Subscribe("_metered/x", false, null));
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "\"\"", ",\"channel\":null", ",\"channel\":1", ",\"channel\":[\"c\"]",
            ",\"channel\":\"a\\nb\"", ",\"channel\":\"a\\u0085b\"", ",\"channel\":\"a\\u007fb\""})
        void missingOrBadChannelIsInvalidChannel(String channelField) {
            String field = channelField.equals("\"\"") ? ",\"channel\":\"\"" : channelField;
            assertInvalid(decode("{\"type\":\"subscribe\",\"requestId\":\"r\"" + field + "}"),
                    ErrorCode.INVALID_CHANNEL, "r");
            assertInvalid(decode("{\"type\":\"unsubscribe\",\"requestId\":\"r\"" + field + "}"),
                    ErrorCode.INVALID_CHANNEL, "r");
            assertInvalid(decode("{\"type\":\"publish\",\"requestId\":\"r\",\"data\":1" + field + "}"),
                    ErrorCode.INVALID_CHANNEL, "r");
        }

        @Test
        void channelLimitIs256Utf8BytesOnTheWire() {
            assertThat(decode("{\"type\":\"subscribe\",\"channel\":\"" + "a".repeat(255) + "\"}"))
                    .isInstanceOf(Subscribe.class);
            assertThat(decode("{\"type\":\"subscribe\",\"channel\":\"" + "a".repeat(256) + "\"}"))
                    .isInstanceOf(Subscribe.class);
            assertInvalid(decode("{\"type\":\"subscribe\",\"channel\":\"" + "a".repeat(257) + "\"}"),
                    ErrorCode.INVALID_CHANNEL, null);
            assertThat(decode("{\"type\":\"subscribe\",\"channel\":\"" + "é".repeat(127) + "a\"}"))
                    .isInstanceOf(Subscribe.class);
            assertThat(decode("{\"type\":\"subscribe\",\"channel\":\"" + "é".repeat(128) + "\"}"))
                    .isInstanceOf(Subscribe.class);
            assertInvalid(decode("{\"type\":\"subscribe\",\"channel\":\"" + "é".repeat(128) + "a\"}"),
                    ErrorCode.INVALID_CHANNEL, null);
            // escaped on the wire, 2 bytes decoded: the limit applies to the decoded name
            assertThat(decode("{\"type\":\"subscribe\",\"channel\":\"" + "\\u00e9".repeat(128) + "\"}"))
                    .isEqualTo(new Subscribe("é".repeat(128), false, null));
        }

        @Test
        void unknownFieldsAreIgnored() {
            assertThat(decode("{\"type\":\"subscribe\",\"x\":{\"channel\":\"nested\"},\"channel\":\"c\",\"y\":[1,2]}"))
                    .isEqualTo(new Subscribe("c", false, null));
        }
    }

    @Nested
    class PublishFrames {
        @Test
        void publishKeepsDataAsTheOriginalBytes() {
            Publish p = (Publish) decode(
                    "{\"type\":\"publish\",\"channel\":\"app_abc/room-1\",\"data\":{ \"text\" : \"hi\" },\"requestId\":\"pub-1\"}");
            assertThat(p.channel()).isEqualTo("app_abc/room-1");
            assertThat(p.requestId()).isEqualTo("pub-1");
            assertThat(p.data().toString()).isEqualTo("{ \"text\" : \"hi\" }");
        }

        @ParameterizedTest
        @ValueSource(strings = {"null", "0", "-1.5e+3", "123456789012345678901234567890", "true", "false",
            "\"\"", "\"a\\\"b\\\\c\\/d\\u00e9\\ud83d\\ude00\\n\"", "\"é😀\"", "[]", "{}", "[1,[2,[3]],{\"a\":null}]",
            "{\"a\":{\"b\":[{\"c\":\"}\"}]}}", "\"]}\"", "0.0", "1E9", "-0"})
        void publishDataOfEveryJsonKindIsSlicedExactlyWhereverItStands(String data) {
            for (String template : new String[] {
                "{\"type\":\"publish\",\"channel\":\"c\",\"data\":%s}",
                "{\"type\":\"publish\",\"channel\":\"c\",\"data\":%s,\"requestId\":\"r\"}",
                "{\"data\":%s,\"type\":\"publish\",\"channel\":\"c\"}",
                " { \"type\" : \"publish\" , \"channel\" : \"c\" , \"data\" :\t\n%s\r\n } ",
                "{\"type\":\"publish\",\"channel\":\"c\",\"data\":%s , \"z\":1}",
            }) {
                String frame = String.format(template, data);
                ClientFrame decoded = decode(frame);
                assertThat(decoded).as(frame).isInstanceOf(Publish.class);
                assertThat(((Publish) decoded).data().toString()).as(frame).isEqualTo(data);
            }
        }

        @Test
        void dataOffsetsAreRightWhenTheFrameStartsInsideTheArray() {
            byte[] bytes = "xxxx{\"type\":\"publish\",\"channel\":\"c\",\"data\":\"é\"}yyyy"
                    .getBytes(StandardCharsets.UTF_8);
            Publish p = (Publish) FrameDecoder.decode(bytes, 4, bytes.length - 8);
            assertThat(p.data().toString()).isEqualTo("\"é\"");
            assertThat(p.data().array()).isSameAs(bytes);
        }

        @Test
        void publishWithNullDataIsValid() {
            assertThat(decode("{\"type\":\"publish\",\"channel\":\"c\",\"data\":null}"))
                    .isEqualTo(new Publish("c", RawJson.NULL, null));
        }

        @Test
        void publishWithoutDataKeyIsMissingData() {
            assertInvalid(decode("{\"type\":\"publish\",\"channel\":\"c\",\"requestId\":\"r\"}"),
                    ErrorCode.MISSING_DATA, "r");
            assertInvalid(decode("{\"type\":\"publish\",\"channel\":\"c\",\"x\":{\"data\":1}}"),
                    ErrorCode.MISSING_DATA, null);
        }

        @Test
        void invalidChannelIsCheckedBeforeMissingData() {
            assertInvalid(decode("{\"type\":\"publish\",\"channel\":\"\"}"), ErrorCode.INVALID_CHANNEL, null);
        }

        @Test
        void duplicateDataKeyLastWins() {
            Publish p = (Publish) decode("{\"type\":\"publish\",\"channel\":\"c\",\"data\":[1],\"data\":{\"a\":2}}");
            assertThat(p.data().toString()).isEqualTo("{\"a\":2}");
        }

        @Test
        void starInPublishChannelIsLiteral() {
            assertThat(decode("{\"type\":\"publish\",\"channel\":\"room-*\",\"data\":1}"))
                    .isEqualTo(new Publish("room-*", RawJson.of("1"), null));
        }

        @Test
        void largePayloadIsSlicedWhole() {
            String big = "\"" + "x".repeat(70_000) + "\"";
            Publish p = (Publish) decode("{\"type\":\"publish\",\"channel\":\"c\",\"data\":" + big + "}");
            assertThat(p.data().length()).isEqualTo(70_002);
        }
    }

    @Nested
    class SendFrames {
        @Test
        void sendDecodesTargetDataAndRequestId() {
            Send s = (Send) decode("{\"type\":\"send\",\"to\":\"bob\",\"data\":{\"x\":1},\"requestId\":\"a2\"}");
            assertThat(s).isEqualTo(new Send("bob", RawJson.of("{\"x\":1}"), "a2"));
        }

        @Test
        void targetOf128CharsIsValidAnd129IsInvalidPeerId() {
            assertThat(decode("{\"type\":\"send\",\"to\":\"" + "p".repeat(127) + "\",\"data\":1}"))
                    .isInstanceOf(Send.class);
            assertThat(decode("{\"type\":\"send\",\"to\":\"" + "é".repeat(128) + "\",\"data\":1}"))
                    .isInstanceOf(Send.class);
            assertInvalid(decode("{\"type\":\"send\",\"to\":\"" + "p".repeat(129) + "\",\"data\":1,\"requestId\":\"r\"}"),
                    ErrorCode.INVALID_PEER_ID, "r");
        }

        @ParameterizedTest
        @ValueSource(strings = {"", ",\"to\":null", ",\"to\":\"\"", ",\"to\":5", ",\"to\":\"a\\tb\"", ",\"to\":[\"bob\"]"})
        void missingOrBadTargetIsInvalidPeerIdBeforeMissingData(String toField) {
            assertInvalid(decode("{\"type\":\"send\",\"requestId\":\"r\"" + toField + "}"), ErrorCode.INVALID_PEER_ID, "r");
        }

        @Test
        void sendWithoutDataKeyIsMissingData() {
            assertInvalid(decode("{\"type\":\"send\",\"to\":\"bob\",\"requestId\":\"r\"}"), ErrorCode.MISSING_DATA, "r");
        }

        @Test
        void sendWithNullDataIsValid() {
            assertThat(decode("{\"type\":\"send\",\"to\":\"bob\",\"data\":null}"))
                    .isEqualTo(new Send("bob", RawJson.NULL, null));
        }
    }

    @Test
    void decodedDataReencodesByteForByte() {
        String data = "{\"type\":\"rtc-ice\",\"candidate\":{\"sdpMid\":\"0\",\"x\":\"\\u2028 é 😀\"},\"n\":[1.5e-3,null]}";
        Publish p = (Publish) decode("{\"type\":\"publish\",\"channel\":\"room\",\"data\":" + data + ",\"requestId\":\"r\"}");
        byte[] out = ServerFrames.message(p.channel(), "alice", p.data(), null);
        assertThat(new String(out, StandardCharsets.UTF_8))
                .isEqualTo("{\"type\":\"message\",\"channel\":\"room\",\"from\":\"alice\",\"data\":" + data + "}");
        Send s = (Send) decode("{\"type\":\"send\",\"to\":\"bob\",\"data\":" + data + "}");
        assertThat(new String(ServerFrames.direct("alice", s.data(), RawJson.of("{\"u\":1}")), StandardCharsets.UTF_8))
                .isEqualTo("{\"type\":\"direct\",\"from\":\"alice\",\"data\":" + data + ",\"fromMetadata\":{\"u\":1}}");
    }
}
