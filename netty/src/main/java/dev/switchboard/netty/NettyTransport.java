package dev.switchboard.netty;

import dev.switchboard.core.spi.Transport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundInvoker;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * {@link Transport} over one Netty channel. The domain's encoded bytes are immutable and shared by every
 * recipient of a fan-out; they are framed once per event loop and written as shared duplicates.
 *
 * <p>Several small frames written before one flush — a connection that fell a few messages behind, the normal
 * case for every recipient of a busy channel — are instead held as references and, at the flush, copied into
 * one buffer of exactly their framed size: one outbound entry, one iovec and no per-frame duplicate or reference
 * count, which costs less than the bookkeeping of sharing for frames of up to {@link #COALESCE_MAX_BYTES}.
 * Copying only at the flush keeps one such buffer alive per event loop at a time, however many connections
 * have frames waiting. A frame written alone, and every larger frame, is still shared. So is every frame for a
 * connection that is not writable (its outbound bytes are over Netty's high-water mark): a reader that falls
 * behind holds shared frames, never copies, so a broadcast to thousands of slow readers costs one copy of each
 * message, not one per reader.
 */
final class NettyTransport implements Transport {
    /** Payloads up to this size are copied into one buffer when more than one is written before a flush. */
    static final int COALESCE_MAX_BYTES = 1024;
    /** Room for held references at first; a connection keeps an array at most this large between flushes. */
    private static final int HELD_INITIAL = 8;
    private static final int HELD_KEPT = 32;
    private static final AtomicLongFieldUpdater<NettyTransport> HELD_BYTES =
            AtomicLongFieldUpdater.newUpdater(NettyTransport.class, "heldBytes");

    private final Channel channel;
    /**
     * Where pre-framed text frames enter the pipeline: the WebSocket encoder's context, so a write goes straight
     * to the head instead of through every outbound handler (they all pass raw buffers through unchanged). Control
     * frames still go through {@code channel} and the encoder; all writes happen on the event loop, so order holds.
     */
    private final ChannelOutboundInvoker frames;
    /** Small frames written since the last flush, not yet framed (event loop only); null while none ever was. */
    private byte[][] held;
    private int heldCount;
    /** Framed bytes of the held frames, for {@link #pendingBytes} on other threads. */
    private volatile long heldBytes;
    /** The sequence number of the last ping sent (event loop only). */
    private long pingSequence;

    /** The client as trusted proxies name it, for logs; null = the channel's peer. */
    private final InetAddress client;

    NettyTransport(Channel channel) {
        this(channel, null, null);
    }

    /**
     * @param encoder the context of the WebSocket frame encoder, or null to write through the whole pipeline
     * @param client the client's address behind trusted proxies, or null for the channel's peer
     */
    NettyTransport(Channel channel, ChannelHandlerContext encoder, InetAddress client) {
        this.channel = channel;
        this.frames = encoder == null ? channel : encoder;
        this.client = client;
    }

    /** From another event loop the task is handed over with the others that loop gathers ({@link CrossLoopTasks}). */
    @Override
    public void execute(Runnable task) {
        try {
            CrossLoopTasks.execute(channel.eventLoop(), task);
        } catch (RejectedExecutionException e) {
            // The event loop is shutting down: the channel is being closed with it, nothing left to do.
        }
    }

    /**
     * Queues {@code utf8Json} as a text frame: a small one is held by reference until the flush, a large one is
     * written as the shared framed bytes (see {@link SharedFrames}). Order is kept: a large frame first releases
     * what is held.
     */
    @Override
    public void write(byte[] utf8Json) {
        if (utf8Json.length > COALESCE_MAX_BYTES || !channel.isWritable()) {
            release();
            frames.write(SharedFrames.textFrame(utf8Json, channel.alloc()), channel.voidPromise());
            return;
        }
        if (held == null) {
            held = new byte[HELD_INITIAL][];
        } else if (heldCount == held.length) {
            held = Arrays.copyOf(held, heldCount * 2);
        }
        held[heldCount++] = utf8Json;
        HELD_BYTES.lazySet(this, heldBytes + SharedFrames.framedLength(utf8Json));
    }

    /**
     * Queues the frame {@code utf8Json} without {@code [cutFrom, cutTo)} as its header and the two remaining parts of
     * the shared array, gathered, not copied: a big room's presence frame minus one recipient's entry costs that
     * recipient a header until the socket takes it.
     */
    @Override
    public void write(byte[] utf8Json, int cutFrom, int cutTo) {
        release();
        int length = utf8Json.length - (cutTo - cutFrom);
        ByteBuf header = SharedFrames.writeHeader(length, channel.alloc().buffer(10));
        frames.write(Unpooled.wrappedBuffer(header, Unpooled.wrappedBuffer(utf8Json, 0, cutFrom),
                Unpooled.wrappedBuffer(utf8Json, cutTo, utf8Json.length - cutTo)), channel.voidPromise());
    }

    /**
     * Hands what {@link #write} held to the pipeline (without flushing): one frame as the shared framed bytes,
     * several copied into one buffer of exactly their size.
     */
    private void release() {
        if (heldCount == 0) {
            return;
        }
        ByteBuf out;
        if (heldCount == 1) {
            out = SharedFrames.textFrame(held[0], channel.alloc());
        } else {
            out = channel.alloc().directBuffer((int) heldBytes);
            for (int i = 0; i < heldCount; i++) {
                SharedFrames.writeFrame(held[i], out);
            }
        }
        if (held.length > HELD_KEPT) {
            held = null; // a burst's array is not kept by a connection that may go quiet
        } else {
            Arrays.fill(held, 0, heldCount, null);
        }
        heldCount = 0;
        HELD_BYTES.lazySet(this, 0);
        frames.write(out, channel.voidPromise());
    }

    @Override
    public void flush() {
        release();
        channel.flush();
    }

    /** Sends the Close frame after what is queued and completes the closing handshake ({@link CloseHandshake}). */
    @Override
    public void close(int code, String reason) {
        release();
        CloseHandshake.send(channel, code < 0 ? new CloseWebSocketFrame() : new CloseWebSocketFrame(code, reason));
    }

    /** Decided on the event loop, so no ping can follow a Close frame (RFC 6455 §5.5.1). */
    @Override
    public void ping() {
        execute(() -> {
            if (sendPing() > 0) {
                channel.flush();
            }
        });
    }

    /** The ping's payload is its sequence number, 8 bytes big-endian, which the pong echoes (RFC 6455 §5.5.3). */
    @Override
    public long sendPing() {
        if (!channel.isActive() || CloseHandshake.sent(channel)) {
            return -1;
        }
        release();
        long sequence = ++pingSequence;
        channel.write(new PingWebSocketFrame(channel.alloc().buffer(8).writeLong(sequence)), channel.voidPromise());
        return sequence;
    }

    @Override
    public boolean canPing() {
        return true;
    }

    /** On the connection's own event loop: no wakeup of another thread, unlike a timer's task handed over. */
    @Override
    public boolean schedule(Runnable task, long delayNanos) {
        try {
            channel.eventLoop().schedule(task, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // The event loop is shutting down: the channel is being closed with it, nothing left to do.
        }
        return true;
    }

    /**
     * The sequence number a pong's payload echoes, or -1 if it answers no ping this transport sent (an unsolicited
     * pong, RFC 6455 §5.5.3, or a payload of another length). Event loop.
     */
    long pongSequence(ByteBuf payload) {
        if (payload.readableBytes() != Long.BYTES) {
            return -1;
        }
        long sequence = payload.getLong(payload.readerIndex());
        return sequence > 0 && sequence <= pingSequence ? sequence : -1;
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
    public void pauseReads() {
        channel.config().setAutoRead(false);
    }

    @Override
    public void resumeReads() {
        channel.config().setAutoRead(true);
    }

    @Override
    public long pendingBytes() {
        ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
        return (buffer == null ? 0 : buffer.totalPendingWriteBytes()) + heldBytes;
    }

    @Override
    public String remoteAddress() {
        return client == null ? String.valueOf(channel.remoteAddress()) : client.getHostAddress();
    }
}
