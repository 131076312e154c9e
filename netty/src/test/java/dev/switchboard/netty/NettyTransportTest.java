package dev.switchboard.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NettyTransportTest {
    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final NettyTransport transport = new NettyTransport(channel);

    @AfterEach
    void tearDown() {
        channel.finishAndReleaseAll();
    }

    @Test
    void writesAreTextFramesThatReachTheSocketOnlyOnFlush() {
        byte[] frame = "{\"type\":\"pong\"}".getBytes(StandardCharsets.UTF_8);
        transport.write(frame);
        assertThat((Object) channel.readOutbound()).isNull();
        assertThat(transport.pendingBytes()).isGreaterThanOrEqualTo(frame.length); // plus Netty's per-entry overhead
        transport.flush();
        TextWebSocketFrame out = channel.readOutbound();
        assertThat(out.text()).isEqualTo("{\"type\":\"pong\"}");
        assertThat(out.content().hasArray() && out.content().array() == frame).as("wrapped, not copied").isTrue();
        out.release();
        assertThat(transport.pendingBytes()).isZero();
    }

    @Test
    void closeSendsTheCodeAndReasonThenClosesTheChannel() {
        transport.close(4020, "admin disconnect");
        CloseWebSocketFrame close = channel.readOutbound();
        assertThat(close.statusCode()).isEqualTo(4020);
        assertThat(close.reasonText()).isEqualTo("admin disconnect");
        close.release();
        channel.runPendingTasks();
        assertThat(channel.isOpen()).isFalse();
        transport.close(1000, "again"); // a closed channel is left alone
    }

    @Test
    void pingSendsAControlFrameAndAbortClosesWithoutACloseFrame() {
        transport.ping();
        PingWebSocketFrame ping = channel.readOutbound();
        assertThat(ping).isNotNull();
        ping.release();
        transport.abort();
        assertThat((Object) channel.readOutbound()).isNull();
        assertThat(channel.isOpen()).isFalse();
        transport.ping(); // no effect on a closed channel
        assertThat((Object) channel.readOutbound()).isNull();
    }

    @Test
    void executeRunsOnTheEventLoop() {
        AtomicBoolean ran = new AtomicBoolean();
        transport.execute(() -> ran.set(channel.eventLoop().inEventLoop()));
        channel.runPendingTasks();
        assertThat(ran).isTrue();
    }
}
