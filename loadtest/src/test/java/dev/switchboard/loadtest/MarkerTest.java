package dev.switchboard.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.loadtest.ws.WsConnection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MarkerTest {
    private final List<long[]> seen = new ArrayList<>();
    private final WsConnection receiver = receiver(false);

    /** A receiver whose protocol batches ({@code single} false) or sends one message per frame. */
    private WsConnection receiver(boolean single) {
        WsConnection.Protocol protocol = new WsConnection.Protocol() {
            @Override
            public String path(WsConnection c) {
                return "/";
            }

            @Override
            public void onOpen(WsConnection c) {
            }

            @Override
            public void onFrame(WsConnection c, ByteBuf payload) {
            }

            @Override
            public boolean oneMessagePerFrame() {
                return single;
            }
        };
        return new WsConnection(protocol, "h", 7, null, false, null, new WsConnection.Listener() {
            @Override
            public void onDelivery(WsConnection c, long sentNanos) {
                seen.add(new long[] {sentNanos});
            }
        });
    }

    private ByteBuf stamped(String prefix, String suffix, long ts, int from) {
        ByteBuf frame = Marker.Template.text(prefix, suffix).frame(ByteBufAllocator.DEFAULT, ts, from);
        frame.skipBytes(6); // header with zero mask key
        return frame;
    }

    @Test
    void findsTheStampInAPlainEnvelope() {
        ByteBuf payload = stamped("{\"type\":\"message\",\"data\":", "}", 123_456_789L, 3);
        Marker.scan(payload, receiver);
        assertThat(seen).hasSize(1);
        assertThat(seen.get(0)[0]).isEqualTo(123_456_789L);
        payload.release();
    }

    @Test
    void findsTheStampInAStringifiedEnvelope() {
        String json = Marker.dataJson().replace("000000000000042", "000000000000042").replace("\"", "\\\"");
        ByteBuf payload = Unpooled.copiedBuffer("{\"event\":\"client-msg\",\"data\":\"" + json + "\"}",
                StandardCharsets.UTF_8);
        Marker.scan(payload, receiver);
        assertThat(seen).hasSize(1);
    }

    @Test
    void ignoresMessagesTheReceiverPublishedItself() {
        ByteBuf payload = stamped("", "", 5, 7);
        Marker.scan(payload, receiver);
        assertThat(seen).isEmpty();
        payload.release();
    }

    @Test
    void countsSeveralMessagesInOneFrame() {
        ByteBuf a = stamped("MSG fan 1 84\r\n", "\r\n", 11, 1);
        ByteBuf b = stamped("MSG fan 1 84\r\n", "\r\n", 22, 1);
        ByteBuf both = Unpooled.wrappedBuffer(a, b);
        Marker.scan(both, receiver);
        assertThat(seen).extracting(x -> x[0]).containsExactly(11L, 22L);
        both.release();
    }

    @Test
    void findsTheMarkerWhenTheEnvelopeChangesLength() {
        // the first frame teaches the scanner where the marker sits; the next ones move it both ways
        for (String prefix : List.of("{\"type\":\"message\",\"data\":", "{\"type\":\"message\",\"from\":\"x\",\"data\":",
                "{\"data\":", "{\"type\":\"message\",\"data\":")) {
            ByteBuf payload = stamped(prefix, "}", 1_000 + seen.size(), 3);
            Marker.scan(payload, receiver);
            payload.release();
        }
        assertThat(seen).extracting(x -> x[0]).containsExactly(1_000L, 1_001L, 1_002L, 1_003L);
    }

    @Test
    void findsTheFirstMarkerOfABatchAfterAFrameThatStartedWithSomethingElse() {
        ByteBuf ping = Unpooled.copiedBuffer("PING\r\n", StandardCharsets.US_ASCII);
        ByteBuf first = Unpooled.wrappedBuffer(ping, stamped("MSG fan 1 84\r\n", "\r\n", 1, 1));
        Marker.scan(first, receiver);
        ByteBuf batch = Unpooled.wrappedBuffer(stamped("MSG fan 1 84\r\n", "\r\n", 2, 1),
                stamped("MSG fan 1 84\r\n", "\r\n", 3, 1));
        Marker.scan(batch, receiver);
        assertThat(seen).extracting(x -> x[0]).containsExactly(1L, 2L, 3L);
        first.release();
        batch.release();
    }

    @Test
    void stopsAtTheFirstMarkerWhenTheProtocolSendsOneMessagePerFrame() {
        ByteBuf a = stamped("{\"data\":", "}", 11, 1);
        ByteBuf b = stamped("{\"data\":", "}", 22, 1);
        ByteBuf both = Unpooled.wrappedBuffer(a, b);
        Marker.scan(both, receiver(true));
        assertThat(seen).extracting(x -> x[0]).containsExactly(11L);
        both.release();
    }
}
