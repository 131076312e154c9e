package dev.switchboard.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.Node;
import dev.switchboard.core.NodeSettings;
import dev.switchboard.core.auth.Action;
import dev.switchboard.core.auth.AppConfig;
import dev.switchboard.core.auth.KeyConfig;
import dev.switchboard.core.auth.KeyType;
import dev.switchboard.core.auth.Keyring;
import dev.switchboard.core.spi.Clock;
import dev.switchboard.core.spi.ExecutorScheduler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The upgrade on an {@link EmbeddedChannel}: what reaches the socket, and in how many flushes. */
class WebSocketUpgradeTest {
    private final ExecutorScheduler scheduler = new ExecutorScheduler();
    private final Node node = new Node(new Keyring(List.of(new AppConfig("app", false, null, List.of(
            new KeyConfig(KeyType.PUBLISHABLE, "pk_live_k", null, List.of("**"), EnumSet.allOf(Action.class),
                    List.of(), true))))), NodeSettings.defaults(), Clock.SYSTEM, scheduler);
    private final List<String> socket = new ArrayList<>();
    private final EmbeddedChannel channel = new EmbeddedChannel(
            new SocketRecorder(socket),
            new HttpServerCodec(),
            new HttpObjectAggregator(1 << 16),
            new SimpleChannelInboundHandler<FullHttpRequest>() {
                @Override
                protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
                    WebSocketUpgrade.upgrade(ctx, request, node, 1 << 16, null);
                }
            });

    @AfterEach
    void tearDown() {
        channel.finishAndReleaseAll();
        node.stop();
        scheduler.close();
    }

    @Test
    void the101ResponseAndTheWelcomeLeaveInOneFlush() {
        upgrade("/v1?key=pk_live_k");

        assertThat(socket).containsExactly("write", "write", "flush");
        assertThat(ascii(channel.readOutbound())).startsWith("HTTP/1.1 101 Switching Protocols");
        assertThat(ClientView.text(channel.readOutbound())).startsWith("{\"type\":\"welcome\"");
        assertThat(channel.isActive()).isTrue();
    }

    @Test
    void aRefusalSends101AndTheCloseFrameInOneFlushThenCloses() {
        upgrade("/v1?key=pk_live_unknown");

        assertThat(socket).containsExactly("write", "write", "flush");
        assertThat(ascii(channel.readOutbound())).startsWith("HTTP/1.1 101 Switching Protocols");
        Object close = channel.readOutbound();
        assertThat(close).isNotNull();
        ReferenceCountUtil.release(close);
        assertThat(channel.isActive()).isFalse();
    }

    private void upgrade(String uri) {
        channel.writeInbound(Unpooled.copiedBuffer("GET " + uri + " HTTP/1.1\r\n"
                + "Host: localhost\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n", StandardCharsets.US_ASCII));
        channel.runPendingTasks();
    }

    private static String ascii(Object wire) {
        assertThat(wire).isInstanceOf(ByteBuf.class);
        ByteBuf buf = (ByteBuf) wire;
        try {
            return buf.toString(StandardCharsets.US_ASCII);
        } finally {
            buf.release();
        }
    }

    /** Nearest the socket: records each write and flush that reaches it. */
    private static final class SocketRecorder extends ChannelOutboundHandlerAdapter {
        private final List<String> events;

        SocketRecorder(List<String> events) {
            this.events = events;
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            events.add("write");
            ctx.write(msg, promise);
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {
            events.add("flush");
            ctx.flush();
        }
    }
}
