package dev.switchboard.netty;

import dev.switchboard.core.spi.Transport;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundInvoker;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * {@link Transport} over one Netty channel. The domain's encoded bytes are immutable and shared by every
 * recipient of a fan-out; they are framed once per event loop and written as shared duplicates.
 *
 * <p>Several small frames written before one flush — a connection that fell a few messages behind, the normal
 * case for every recipient of a busy channel — are instead copied into one buffer: one outbound entry, one
 * iovec and no per-frame duplicate or reference count, which costs less than the bookkeeping of sharing for
 * frames of up to {@link #COALESCE_MAX_BYTES}. A frame written alone, and every larger frame, is still shared.
 * So is every frame for a connection that is not writable (its outbound bytes are over Netty's high-water mark):
 * a reader that falls behind holds shared frames, never copies, so a broadcast to thousands of slow readers costs
 * one copy of each message, not one per reader.
 */
final class NettyTransport implements Transport {
    /** A peer that does not read its close frame within this time is cut off. */
    private static final long CLOSE_TIMEOUT_SECONDS = 3;
    /** Payloads up to this size are copied into one buffer when more than one is written before a flush. */
    static final int COALESCE_MAX_BYTES = 1024;
    private static final int COALESCE_INITIAL_CAPACITY = 2048;
    private static final AtomicLongFieldUpdater<NettyTransport> HELD_BYTES =
            AtomicLongFieldUpdater.newUpdater(NettyTransport.class, "heldBytes");

    private final Channel channel;
    /**
     * Where pre-framed text frames enter the pipeline: the WebSocket encoder's context, so a write goes straight
     * to the head instead of through every outbound handler (they all pass raw buffers through unchanged). Control
     * frames still go through {@code channel} and the encoder; all writes happen on the event loop, so order holds.
     */
    private final ChannelOutboundInvoker frames;
    /** The one small frame written since the last flush, not yet framed (event loop only). */
    private byte[] heldFrame;
    /** Small frames written since the last flush, framed back to back (event loop only). */
    private ByteBuf coalesced;
    /** Framed bytes held in the two fields above, for {@link #pendingBytes} on other threads. */
    private volatile long heldBytes;

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

    /**
     * Queues {@code utf8Json} as a text frame: held while it is the only small one since the last flush, copied
     * into the coalesced buffer once there are several, written as the shared framed bytes (see
     * {@link SharedFrames}) when it is large. Order is kept: a large frame first releases what is held.
     */
    @Override
    public void write(byte[] utf8Json) {
        if (utf8Json.length > COALESCE_MAX_BYTES || !channel.isWritable()) {
            release();
            frames.write(SharedFrames.textFrame(utf8Json, channel.alloc()), channel.voidPromise());
            return;
        }
        if (heldFrame == null && coalesced == null) {
            heldFrame = utf8Json;
        } else {
            if (coalesced == null) {
                coalesced = channel.alloc().directBuffer(COALESCE_INITIAL_CAPACITY);
                SharedFrames.writeFrame(heldFrame, coalesced);
                heldFrame = null;
            }
            SharedFrames.writeFrame(utf8Json, coalesced);
        }
        HELD_BYTES.lazySet(this, heldBytes + SharedFrames.framedLength(utf8Json));
    }

    /** Hands what {@link #write} held to the pipeline (without flushing). */
    private void release() {
        if (coalesced != null) {
            ByteBuf buf = coalesced;
            coalesced = null;
            frames.write(buf, channel.voidPromise());
        } else if (heldFrame != null) {
            byte[] frame = heldFrame;
            heldFrame = null;
            frames.write(SharedFrames.textFrame(frame, channel.alloc()), channel.voidPromise());
        } else {
            return;
        }
        HELD_BYTES.lazySet(this, 0);
    }

    @Override
    public void flush() {
        release();
        channel.flush();
    }

    @Override
    public void close(int code, String reason) {
        release();
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
    public boolean isWritable() {
        return channel.isWritable();
    }

    @Override
    public long pendingBytes() {
        ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
        return (buffer == null ? 0 : buffer.totalPendingWriteBytes()) + heldBytes;
    }

    @Override
    public String remoteAddress() {
        return String.valueOf(channel.remoteAddress());
    }
}
