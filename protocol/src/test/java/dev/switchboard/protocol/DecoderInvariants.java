package dev.switchboard.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

/** What must hold for any input to {@link FrameDecoder}, shared by the fuzz test and the CI property test. */
final class DecoderInvariants {
    private DecoderInvariants() {
    }

    static void check(byte[] input) {
        ClientFrame frame = FrameDecoder.decode(input, 0, input.length);
        assertThat(frame).isNotNull();
        if (frame instanceof Publish p) {
            assertThat(Channels.isValidName(p.channel())).isTrue();
            checkData(input, p.data());
            // the encoder splices it into valid JSON, whatever the channel holds
            JsonValues.tokensOf(RawJson.wrap(ServerFrames.message(p.channel(), "from", p.data(), null)));
        } else if (frame instanceof Send s) {
            assertThat(PeerIds.isValidTarget(s.to())).isTrue();
            checkData(input, s.data());
            JsonValues.tokensOf(RawJson.wrap(ServerFrames.direct(s.to(), s.data(), s.data())));
        } else if (frame instanceof Subscribe s) {
            assertThat(Channels.isValidName(s.channel())).isTrue();
        } else if (frame instanceof Unsubscribe u) {
            assertThat(Channels.isValidName(u.channel())).isTrue();
        } else if (frame instanceof Ping ping) {
            assertThat(ping.requestId()).isNull();
        } else {
            Invalid invalid = (Invalid) frame;
            assertThat(invalid.code()).isNotNull();
            assertThat(invalid.message()).isNotBlank();
            JsonValues.tokensOf(RawJson.wrap(ServerFrames.error(invalid.code(), invalid.requestId(), invalid.message())));
        }
        String requestId = frame.requestId();
        if (requestId != null) {
            assertThat(requestId).isNotEmpty();
            assertThat(Utf8.length(requestId)).isLessThanOrEqualTo(Limits.MAX_REQUEST_ID_BYTES);
            JsonValues.tokensOf(RawJson.wrap(ServerFrames.ack(requestId)));
        }
    }

    /** The slice is exactly one JSON value, the same value as the frame's top-level {@code data}. */
    private static void checkData(byte[] input, RawJson data) {
        assertThat(data.array()).isSameAs(input);
        List<String> sliced = JsonValues.tokensOf(data);
        assertThat(sliced).isEqualTo(JsonValues.tokensOfTopLevelData(input, 0, input.length));
    }
}
