package dev.switchboard.netty;

import dev.switchboard.core.spi.Transport;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundInvoker;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * {@link Transport} over one Netty channel. The domain's encoded bytes are immutable and shared by every
 * recipient of a fan-out; they are framed once per event loop and written as shared duplicates.
 */
final class NettyTransport implements Transport {
    /** A peer that does not read its close frame within this time is cut off. */
    private static final long CLOSE_TIMEOUT_SECONDS = 3;

    private final Channel channel;
    /**
     * Where pre-framed text frames enter the pipeline: the WebSocket encoder's context, so a write goes straight
     * to the head instead of through every outbound handler (they all pass raw buffers through unchanged). Control
     * frames still go through {@code channel} and the encoder; all writes happen on the event loop, so order holds.
     */
    private final ChannelOutboundInvoker frames;

    NettyTransport(Channel channel) {
        this(channel, null);
    }

    /** @param encoder the context of the WebSocket frame encoder, or null to write through the whole pipeline */
    NettyTransport(Channel channel, ChannelHandlerContext encoder) {
        this.channel = channel;
        this.frames = encoder == null ? channel : encoder;
    }

    @Override
    public void execute(Runnable task) {
        try {
            channel.eventLoop().execute(task);
        } catch (RejectedExecutionException e) {
            // The event loop is shutting down: the channel is being closed with it, nothing left to do.
        }
    }

    /** Writes the shared, already-framed bytes of {@code utf8Json} (see {@link SharedFrames}). */
    @Override
    public void write(byte[] utf8Json) {
        frames.write(SharedFrames.textFrame(utf8Json, channel.alloc()), channel.voidPromise());
    }

    @Override
    public void flush() {
        channel.flush();
    }

    @Override
    public void close(int code, String reason) {
        if (!channel.isActive()) {
            return;
        }
        channel.writeAndFlush(new CloseWebSocketFrame(code, reason)).addListener(ChannelFutureListener.CLOSE);
        channel.eventLoop().schedule(() -> {
            channel.close();
        }, CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public void ping() {
        if (channel.isActive()) {
            channel.writeAndFlush(new PingWebSocketFrame(), channel.voidPromise());
        }
    }

    @Override
    public void abort() {
        channel.close();
    }

    @Override
    public long pendingBytes() {
        ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
        return buffer == null ? 0 : buffer.totalPendingWriteBytes();
    }

    @Override
    public String remoteAddress() {
        return String.valueOf(channel.remoteAddress());
    }
}
