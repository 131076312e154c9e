package dev.switchboard.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
        ByteBuf out = channel.readOutbound();
        assertThat(ClientView.text(out)).isEqualTo("{\"type\":\"pong\"}");
        assertThat(transport.pendingBytes()).isZero();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 125, 126, 127, 65_535, 65_536, 200_000})
    void everyPayloadLengthEncodingIsAFrameAClientDecodes(int length) {
        String text = "x".repeat(length);
        transport.write(text.getBytes(StandardCharsets.UTF_8));
        transport.flush();
        assertThat(ClientView.text(channel.readOutbound())).isEqualTo(text);
    }

    @Test
    void textFramesEnterThePipelineBelowTheEncoderWhileControlFramesStillPassThroughIt() {
        List<Object> seenByEncoder = new ArrayList<>();
        EmbeddedChannel ws = new EmbeddedChannel(new WebSocket08FrameEncoder(false) {
            @Override
            public void write(io.netty.channel.ChannelHandlerContext ctx, Object msg, io.netty.channel.ChannelPromise promise)
                    throws Exception {
                seenByEncoder.add(msg.getClass().getSimpleName());
                super.write(ctx, msg, promise);
            }
        });
        try {
            NettyTransport direct = new NettyTransport(ws, ws.pipeline().context(WebSocketFrameEncoder.class));
            direct.write("{\"type\":\"pong\"}".getBytes(StandardCharsets.UTF_8));
            direct.close(1001, "server shutting down");
            assertThat(seenByEncoder).containsExactly("CloseWebSocketFrame");
            assertThat(ClientView.text(ws.readOutbound())).isEqualTo("{\"type\":\"pong\"}");
            assertThat((Object) ws.readOutbound()).as("the close frame, encoded, after the text frame").isNotNull();
        } finally {
            ws.finishAndReleaseAll();
        }
    }

    @Test
    void connectionsOfOneLoopWritingTheSameBytesShareOneFramedBuffer() {
        EmbeddedChannel other = new EmbeddedChannel();
        try {
            byte[] shared = "{\"type\":\"message\",\"data\":1}".getBytes(StandardCharsets.UTF_8);
            transport.write(shared);
            new NettyTransport(other).write(shared);
            transport.flush();
            other.flush();
            ByteBuf first = channel.readOutbound();
            ByteBuf second = other.readOutbound();
            assertThat(first.unwrap()).as("one framed buffer, duplicated").isNotNull().isSameAs(second.unwrap());
            assertThat(ClientView.text(first)).isEqualTo(ClientView.text(second));

            byte[] equalButSeparate = shared.clone();
            new NettyTransport(other).write(equalButSeparate);
            other.flush();
            ByteBuf third = other.readOutbound();
            assertThat(third.unwrap()).as("matched by identity, not content").isNotSameAs(first.unwrap());
            third.release();
        } finally {
            other.finishAndReleaseAll();
        }
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
