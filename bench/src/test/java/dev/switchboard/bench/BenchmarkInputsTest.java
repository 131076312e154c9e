package dev.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.auth.Admission;
import dev.switchboard.core.auth.TokenVerifier;
import dev.switchboard.protocol.ClientFrame;
import dev.switchboard.protocol.CloseCode;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.FrameDecoder;
import dev.switchboard.protocol.Glob;
import dev.switchboard.protocol.Invalid;
import dev.switchboard.protocol.Publish;
import dev.switchboard.protocol.ServerFrames;
import dev.switchboard.protocol.Subscribe;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The benchmarks measure what they claim to: every setup yields the inputs its javadoc describes. Benchmarks
 * themselves never run in the build.
 */
class BenchmarkInputsTest {

    @ParameterizedTest
    @ValueSource(ints = {50, 1024, 16384})
    void payloadIsValidJsonOfExactlyTheRequestedSizeWithEscapes(int size) {
        String data = Payloads.data(size);
        assertThat(data.getBytes(StandardCharsets.UTF_8)).hasSize(size);
        byte[] frame = Payloads.publishFrame("room-42", size, null);
        ClientFrame decoded = FrameDecoder.decode(frame, 0, frame.length);
        assertThat(decoded).isInstanceOfSatisfying(Publish.class,
                p -> assertThat(p.data().toString()).isEqualTo(data));
        if (size >= 1024) {
            assertThat(data).contains("\\\"", "\\\\", "\\n", "\\u00e9", "[{");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"publish-50", "publish-1024", "publish-16384"})
    void publishFramesDecodeToPublishWithTheirData(String kind) {
        byte[] bytes = FrameDecodeBenchmark.frame(kind);
        int size = Integer.parseInt(kind.substring("publish-".length()));
        assertThat(FrameDecoder.decode(bytes, 0, bytes.length)).isInstanceOfSatisfying(Publish.class, p -> {
            assertThat(p.channel()).isEqualTo("room-42");
            assertThat(p.requestId()).isEqualTo("r-17");
            assertThat(p.data().length()).isEqualTo(size);
        });
    }

    @Test
    void subscribeFrameDecodesToSubscribe() {
        byte[] bytes = FrameDecodeBenchmark.frame("subscribe");
        assertThat(FrameDecoder.decode(bytes, 0, bytes.length)).isEqualTo(new Subscribe("room-42", true, "r-17"));
    }

    @Test
    void malformedFrameDecodesToMalformedMessage() {
        byte[] bytes = FrameDecodeBenchmark.frame("malformed");
        assertThat(FrameDecoder.decode(bytes, 0, bytes.length)).isInstanceOfSatisfying(Invalid.class,
                i -> assertThat(i.code()).isEqualTo(ErrorCode.MALFORMED_MESSAGE));
    }

    @ParameterizedTest
    @ValueSource(strings = {"literal", "prefix-star", "prefix-doublestar", "middle-star", "pathological-256"})
    void everyGlobCaseMatches(String shape) {
        String[] pc = GlobBenchmark.patternAndChannel(shape);
        assertThat(Glob.compile(pc[0]).matches(pc[1])).isTrue();
        if (shape.equals("pathological-256")) {
            assertThat(pc[1].getBytes(StandardCharsets.UTF_8)).hasSize(256);
        }
    }

    @Test
    void validTokenIsAdmittedAndTamperedOneRefusedWith4001() {
        TokenVerifier verifier = new TokenVerifier(new BenchNode().keyring);
        long now = System.currentTimeMillis();
        assertThat(verifier.verify(JwtVerifyBenchmark.token("valid"), now))
                .isInstanceOfSatisfying(Admission.Admitted.class, a -> {
                    assertThat(a.identity().peerId()).isEqualTo("user-1234");
                    assertThat(a.identity().peerMetadata().toString()).isEqualTo(BenchNode.PEER_METADATA);
                });
        assertThat(verifier.verify(JwtVerifyBenchmark.token("bad-signature"), now))
                .isInstanceOfSatisfying(Admission.Refused.class,
                        r -> assertThat(r.code()).isEqualTo(CloseCode.INVALID_TOKEN));
    }

    @Test
    void metadataIsAboutTwoHundredBytes() {
        assertThat(BenchNode.PEER_METADATA.length()).isBetween(180, 220);
    }

    @Test
    void encodeProducesTheMessageFrame() {
        var in = new FanoutEncodeBenchmark.Encode();
        in.dataBytes = 1024;
        in.setUp();
        var bench = new FanoutEncodeBenchmark();
        assertThat(new String(bench.encodePlain(in), StandardCharsets.UTF_8))
                .startsWith("{\"type\":\"message\",\"channel\":\"room-42\",\"from\":\"user-1234\",\"data\":{")
                .doesNotContain("fromMetadata");
        assertThat(new String(bench.encodeWithMetadata(in), StandardCharsets.UTF_8))
                .endsWith(",\"fromMetadata\":" + BenchNode.PEER_METADATA + "}");
    }

    @ParameterizedTest
    @ValueSource(ints = {100, 1000})
    void onePublishReachesEverySubscriberOnce(int subscribers) {
        var room = new FanoutEncodeBenchmark.Room();
        room.subscribers = subscribers;
        room.setUp();
        long before = room.delivered();
        assertThat(before).as("one welcome each, no presence, no ack").isEqualTo(subscribers);
        long bytesBefore = 0;
        for (CountingTransport t : room.inboxes) {
            bytesBefore += t.bytes;
        }

        new FanoutEncodeBenchmark().fanout(room);

        assertThat(room.delivered() - before).isEqualTo(subscribers);
        long plain = ServerFrames.message("room-42", "pub-1", Publish.class.cast(FrameDecoder.decode(
                room.publishFrame, 0, room.publishFrame.length)).data(), null).length;
        long delivered = -bytesBefore;
        for (CountingTransport t : room.inboxes) {
            delivered += t.bytes;
            assertThat(t.closeCode).isZero();
        }
        assertThat(delivered).as("half the subscribers get fromMetadata")
                .isEqualTo(subscribers * plain + (subscribers / 2) * (",\"fromMetadata\":".length()
                        + BenchNode.PEER_METADATA.length()));
    }
}
