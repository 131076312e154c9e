package dev.switchboard.loadtest.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.loadtest.Marker;
import dev.switchboard.loadtest.ws.WsConnection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class DeliveryStatsTest {
    private static final WsConnection.Protocol READY_ON_OPEN = new WsConnection.Protocol() {
        @Override
        public String path(WsConnection c) {
            return "/";
        }

        @Override
        public void onOpen(WsConnection c) {
            c.markReady();
        }

        @Override
        public void onFrame(WsConnection c, ByteBuf payload) {
        }
    };

    private final Marker.Template template = Marker.Template.text("{\"type\":\"message\",\"data\":", "}");

    @Test
    void countsDeliveriesAndMeasuresLatencyFromTheSocketRead() {
        DeliveryStats stats = new DeliveryStats();
        EmbeddedChannel channel = new EmbeddedChannel(new WsConnection(READY_ON_OPEN, "h", 7, null, false, null, stats));
        long sent = Marker.now() - 5_000_000; // published 5 ms ago
        ByteBuf in = Unpooled.buffer();
        in.writeBytes("HTTP/1.1 101 Switching Protocols\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < 3; i++) {
            ByteBuf frame = template.frame(ByteBufAllocator.DEFAULT, sent, 3);
            in.writeBytes(frame);
            frame.release();
        }
        long before = Marker.now();
        channel.writeInbound(in);
        long after = Marker.now();

        assertThat(stats.delivered()).isEqualTo(3);
        Histogram latency = stats.interval();
        assertThat(latency.getTotalCount()).isEqualTo(3);
        // all three were read at one instant, between before and after
        assertThat(latency.valuesAreEquivalent(latency.getMinValue(), latency.getMaxValue())).isTrue();
        assertThat(latency.getMinValue()).isBetween((before - sent) / 1000 - 1, (after - sent) / 1000 + 1);
        assertThat(stats.interval().getTotalCount()).as("the interval restarts").isZero();
        assertThat(stats.delivered()).as("the count does not").isEqualTo(3);
        channel.finishAndReleaseAll();
    }
}
