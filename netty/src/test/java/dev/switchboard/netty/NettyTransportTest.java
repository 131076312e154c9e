package dev.switchboard.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
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
    private final EmbeddedChannel channel = unpooled(new EmbeddedChannel());
    private final NettyTransport transport = new NettyTransport(channel);

    /**
     * The tests tell a shared duplicate from a buffer of its own by {@code unwrap()}. With Netty 4.2's default
     * adaptive allocator a buffer of its own may also unwrap to the chunk it was carved from, depending on what
     * earlier tests in the same JVM allocated; the unpooled allocator keeps {@code unwrap()} meaning "duplicate".
     */
    private static EmbeddedChannel unpooled(EmbeddedChannel channel) {
        channel.config().setAllocator(UnpooledByteBufAllocator.DEFAULT);
        return channel;
    }

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
            NettyTransport direct = new NettyTransport(ws, ws.pipeline().context(WebSocketFrameEncoder.class), null);
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
        EmbeddedChannel other = unpooled(new EmbeddedChannel());
        try {
            byte[] shared = "{\"type\":\"message\",\"data\":1}".getBytes(StandardCharsets.UTF_8);
            NettyTransport otherTransport = new NettyTransport(other);
            transport.write(shared);
            otherTransport.write(shared);
            transport.flush();
            otherTransport.flush();
            ByteBuf first = channel.readOutbound();
            ByteBuf second = other.readOutbound();
            assertThat(first.unwrap()).as("one framed buffer, duplicated").isNotNull().isSameAs(second.unwrap());
            assertThat(ClientView.text(first)).isEqualTo(ClientView.text(second));

            byte[] equalButSeparate = shared.clone();
            otherTransport.write(equalButSeparate);
            otherTransport.flush();
            ByteBuf third = other.readOutbound();
            assertThat(third.unwrap()).as("matched by identity, not content").isNotSameAs(first.unwrap());
            third.release();
        } finally {
            other.finishAndReleaseAll();
        }
    }

    @Test
    void smallFramesWrittenBeforeOneFlushLeaveAsOneBufferInOrder() {
        List<String> sent = List.of("{\"n\":1}", "{\"n\":2}", "x".repeat(NettyTransport.COALESCE_MAX_BYTES));
        long framed = 0;
        for (String text : sent) {
            transport.write(text.getBytes(StandardCharsets.UTF_8));
            framed += SharedFrames.framedLength(text.getBytes(StandardCharsets.UTF_8));
        }
        assertThat(transport.pendingBytes()).as("held frames count as pending").isEqualTo(framed);
        transport.flush();

        ByteBuf out = channel.readOutbound();
        assertThat(out.unwrap()).as("a buffer of its own, not a shared duplicate").isNull();
        assertThat(out.capacity()).as("copied once, into a buffer of exactly their size").isEqualTo(out.readableBytes());
        assertThat((Object) channel.readOutbound()).as("one outbound buffer").isNull();
        assertThat(ClientView.texts(out)).isEqualTo(sent);
        assertThat(transport.pendingBytes()).isZero();
    }

    @Test
    void aBurstOfSmallFramesStaysInOrderInOneBufferFlushAfterFlush() {
        for (int round = 0; round < 2; round++) {
            List<String> sent = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                sent.add("{\"round\":" + round + ",\"n\":" + i + "}");
                transport.write(sent.getLast().getBytes(StandardCharsets.UTF_8));
            }
            transport.flush();
            assertThat(ClientView.texts(channel.readOutbound())).isEqualTo(sent);
            assertThat((Object) channel.readOutbound()).isNull();
            assertThat(transport.pendingBytes()).isZero();
        }
    }

    @Test
    void aLargeFrameIsSharedAndKeepsItsPlaceBetweenSmallOnes() {
        String large = "y".repeat(NettyTransport.COALESCE_MAX_BYTES + 1);
        transport.write("{\"n\":1}".getBytes(StandardCharsets.UTF_8));
        transport.write("{\"n\":2}".getBytes(StandardCharsets.UTF_8));
        transport.write(large.getBytes(StandardCharsets.UTF_8));
        transport.write("{\"n\":3}".getBytes(StandardCharsets.UTF_8));
        transport.flush();

        assertThat(ClientView.texts(channel.readOutbound())).containsExactly("{\"n\":1}", "{\"n\":2}");
        ByteBuf shared = channel.readOutbound();
        assertThat(shared.unwrap()).as("the large frame is a shared duplicate").isNotNull();
        assertThat(ClientView.text(shared)).isEqualTo(large);
        assertThat(ClientView.text(channel.readOutbound())).isEqualTo("{\"n\":3}");
        assertThat((Object) channel.readOutbound()).isNull();
    }

    @Test
    void aConnectionThatIsNotWritableGetsSharedFramesNotCopies() {
        EmbeddedChannel slow = unpooled(new EmbeddedChannel());
        slow.config().setWriteBufferWaterMark(new WriteBufferWaterMark(1, 2));
        try {
            NettyTransport transport = new NettyTransport(slow);
            slow.write(Unpooled.wrappedBuffer(new byte[16])); // unflushed: over the high-water mark
            assertThat(slow.isWritable()).isFalse();
            transport.write("{\"n\":1}".getBytes(StandardCharsets.UTF_8));
            transport.write("{\"n\":2}".getBytes(StandardCharsets.UTF_8));
            transport.flush();

            ((ByteBuf) slow.readOutbound()).release();
            ByteBuf first = slow.readOutbound();
            ByteBuf second = slow.readOutbound();
            assertThat(first.unwrap()).as("shared, not copied").isNotNull();
            assertThat(second.unwrap()).as("shared, not copied").isNotNull();
            assertThat(ClientView.text(first)).isEqualTo("{\"n\":1}");
            assertThat(ClientView.text(second)).isEqualTo("{\"n\":2}");
        } finally {
            slow.finishAndReleaseAll();
        }
    }

    @Test
    void framesHeldAtACloseGoOutBeforeTheCloseFrame() {
        transport.write("{\"n\":1}".getBytes(StandardCharsets.UTF_8));
        transport.write("{\"n\":2}".getBytes(StandardCharsets.UTF_8));
        transport.close(1001, "server shutting down");

        assertThat(ClientView.texts(channel.readOutbound())).containsExactly("{\"n\":1}", "{\"n\":2}");
        CloseWebSocketFrame close = channel.readOutbound();
        assertThat(close.statusCode()).isEqualTo(1001);
        close.release();
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
        channel.runPendingTasks();
        PingWebSocketFrame ping = channel.readOutbound();
        assertThat(ping).isNotNull();
        ping.release();
        transport.abort();
        assertThat((Object) channel.readOutbound()).isNull();
        assertThat(channel.isOpen()).isFalse();
        transport.ping(); // no effect on a closed channel
        channel.runPendingTasks();
        assertThat((Object) channel.readOutbound()).isNull();
    }

    @Test
    void noPingFollowsACloseFrame() {
        transport.ping(); // asked for before the close, decided after it on the event loop
        transport.close(4011, "over message rate");
        channel.runPendingTasks();
        CloseWebSocketFrame close = channel.readOutbound();
        assertThat(close.statusCode()).isEqualTo(4011);
        close.release();
        assertThat((Object) channel.readOutbound()).as("nothing after the Close frame").isNull();
    }

    @Test
    void executeRunsOnTheEventLoop() {
        AtomicBoolean ran = new AtomicBoolean();
        transport.execute(() -> ran.set(channel.eventLoop().inEventLoop()));
        channel.runPendingTasks();
        assertThat(ran).isTrue();
    }

    @Test
    void pausedReadsAreRequestedFromTheSocketAgainOnlyWhenResumed() {
        List<String> reads = new ArrayList<>();
        EmbeddedChannel reader = new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
            @Override
            public void read(ChannelHandlerContext ctx) {
                reads.add("read");
                ctx.read();
            }
        });
        try {
            NettyTransport paused = new NettyTransport(reader);
            paused.pauseReads();
            assertThat(reader.config().isAutoRead()).isFalse();
            reads.clear();
            reader.pipeline().fireChannelReadComplete(); // a read ends: auto-read would ask for the next one
            assertThat(reads).isEmpty();

            paused.resumeReads();
            assertThat(reader.config().isAutoRead()).isTrue();
            assertThat(reads).containsExactly("read");
        } finally {
            reader.finishAndReleaseAll();
        }
    }
}
