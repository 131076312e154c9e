package dev.switchboard.loadtest.ws;

import dev.switchboard.loadtest.Marker;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * One generator-side WebSocket connection: a minimal client codec (raw HTTP upgrade, frame parser without
 * per-frame objects) that hands each data frame to its {@link Protocol} for the handshake/keepalive state
 * machine and then scans it for delivery markers ({@link Marker}) by bytes, never parsing JSON.
 *
 * <p>All callbacks run on the connection's event loop. Idle connections hold no buffers: the read
 * cumulation is released as soon as no partial frame remains.
 */
public final class WsConnection extends ChannelInboundHandlerAdapter {

    /** The peer-specific part: what to send after the upgrade and how to read the handshake replies. */
    public interface Protocol {
        /** Request target (path and query) for this connection. */
        String path(WsConnection c);

        /** {@code Sec-WebSocket-Protocol} to request, or null. */
        default String subprotocol() {
            return null;
        }

        /** Whether the connection speaks TLS ({@code wss://}) before the upgrade. */
        default boolean tls() {
            return false;
        }

        /** Called once the upgrade completed. */
        void onOpen(WsConnection c);

        /** Called for every inbound data frame (text or binary), before marker scanning. */
        void onFrame(WsConnection c, ByteBuf payload);

        /**
         * Whether the protocol defines one message per data frame, so that {@link Marker#scan} can stop at a
         * frame's first marker instead of searching the rest of it; false for protocols that batch.
         */
        default boolean oneMessagePerFrame() {
            return false;
        }
    }

    /** What the scenario wants to hear about. */
    public interface Listener {
        /** A delivered message carrying the generator timestamp {@code sentNanos} (see {@link Marker}). */
        default void onDelivery(WsConnection c, long sentNanos) {
        }

        /** The protocol recognised a presence (join/leave) event. */
        default void onPresence(WsConnection c) {
        }

        /** The protocol recognised a reply to a request made after the connection was ready. */
        default void onAck(WsConnection c) {
        }

        default void onClosed(WsConnection c) {
        }
    }

    public static final Listener NO_LISTENER = new Listener() { };

    private static final byte[] HTTP_101 = "HTTP/1.1 101".getBytes(StandardCharsets.US_ASCII);

    private final Protocol protocol;
    private final String hostHeader;
    public final int id;
    /** Logical channel (room) this connection joins, or null. */
    public final String channel;
    /** Role flag for protocols whose publishers connect differently (nchan). */
    public final boolean publisher;
    /** Credential for protocols that take one (a JWT for Switchboard), or null. */
    public final String credential;
    private Listener listener;
    /** Protocol-private handshake state; 0 at open. */
    public int state;
    /** Protocol-private string (a Pusher socket_id). */
    public String aux;
    /** Protocol-private request counter. */
    public int nextRequestId = 10;
    /** Where {@link Marker#scan} found the first marker of this connection's previous frame (from its start). */
    public int markerOffset;

    private final CompletableFuture<WsConnection> ready = new CompletableFuture<>();
    private Channel channel0;
    private boolean upgraded;
    private ByteBuf cumulation;
    private volatile boolean closed;
    public long startedNanos;
    /** {@link System#nanoTime()} when the protocol marked this connection ready; 0 until then. */
    public long readyNanos;
    /** {@link Marker#now()} when the bytes being read arrived: taken once per socket read, not per message. */
    private long receivedNanos;

    public WsConnection(Protocol protocol, String hostHeader, int id, String channel, boolean publisher,
                        String credential, Listener listener) {
        this.protocol = protocol;
        this.hostHeader = hostHeader;
        this.id = id;
        this.channel = channel;
        this.publisher = publisher;
        this.credential = credential;
        this.listener = listener;
    }

    public Protocol protocol() {
        return protocol;
    }

    public CompletableFuture<WsConnection> ready() {
        return ready;
    }

    public boolean isReady() {
        return ready.isDone() && !ready.isCompletedExceptionally();
    }

    public boolean isOpen() {
        return !closed && channel0 != null && channel0.isActive();
    }

    public Channel channel() {
        return channel0;
    }

    /** See {@link Protocol#oneMessagePerFrame()}. */
    public boolean oneMessagePerFrame() {
        return protocol.oneMessagePerFrame();
    }

    /** When the frame being handed to the listener was read ({@link Marker#now()} time base). */
    public long receivedNanos() {
        return receivedNanos;
    }

    public void listener(Listener listener) {
        this.listener = listener;
    }

    public Listener listener() {
        return listener;
    }

    /** Protocol signals: subscribed (or otherwise usable). */
    public void markReady() {
        readyNanos = System.nanoTime();
        ready.complete(this);
    }

    /** Protocol signals: the server refused us. */
    public void fail(String reason) {
        ready.completeExceptionally(new IllegalStateException(reason));
        if (channel0 != null) {
            channel0.close();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Sending
    // ---------------------------------------------------------------------------------------------------------

    public void sendText(String text) {
        send(WsFrames.OP_TEXT, text.getBytes(StandardCharsets.UTF_8), true);
    }

    public void send(int opcode, byte[] payload, boolean flush) {
        ByteBuf frame = WsFrames.frame(channel0.alloc(), opcode, payload);
        if (flush) {
            channel0.writeAndFlush(frame, channel0.voidPromise());
        } else {
            channel0.write(frame, channel0.voidPromise());
        }
    }

    /** Writes a complete, already encoded frame (ownership passes to the channel); no flush. */
    public void write(ByteBuf frame) {
        channel0.write(frame, channel0.voidPromise());
    }

    public void flush() {
        channel0.flush();
    }

    public void close() {
        if (channel0 != null) {
            channel0.close();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Netty callbacks
    // ---------------------------------------------------------------------------------------------------------

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel0 = ctx.channel();
        StringBuilder req = new StringBuilder(256)
                .append("GET ").append(protocol.path(this)).append(" HTTP/1.1\r\n")
                .append("Host: ").append(hostHeader).append("\r\n")
                .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
                .append("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n");
        String sub = protocol.subprotocol();
        if (sub != null) {
            req.append("Sec-WebSocket-Protocol: ").append(sub).append("\r\n");
        }
        req.append("\r\n");
        ctx.writeAndFlush(Unpooled.wrappedBuffer(req.toString().getBytes(StandardCharsets.UTF_8)),
                ctx.voidPromise());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        receivedNanos = Marker.now();
        ByteBuf in = (ByteBuf) msg;
        ByteBuf buf;
        if (cumulation == null) {
            buf = in;
        } else {
            if (cumulation.writableBytes() < in.readableBytes()) {
                ByteBuf bigger = ctx.alloc().buffer(cumulation.readableBytes() + in.readableBytes());
                bigger.writeBytes(cumulation);
                cumulation.release();
                cumulation = bigger;
            }
            cumulation.writeBytes(in);
            in.release();
            buf = cumulation;
        }
        try {
            if (!upgraded && !readUpgrade(buf)) {
                // keep waiting for the end of the response head
            } else {
                readFrames(buf);
            }
        } catch (RuntimeException e) {
            fail("client codec: " + e);
        }
        if (buf.isReadable()) {
            if (buf != cumulation) {
                cumulation = ctx.alloc().buffer(Math.max(256, buf.readableBytes() * 2));
                cumulation.writeBytes(buf);
                buf.release();
            } else {
                cumulation.discardReadBytes();
            }
        } else {
            buf.release();
            cumulation = null;
        }
    }

    private boolean readUpgrade(ByteBuf buf) {
        int end = -1;
        for (int i = buf.readerIndex(); i + 3 < buf.writerIndex(); i++) {
            if (buf.getByte(i) == '\r' && buf.getByte(i + 1) == '\n' && buf.getByte(i + 2) == '\r'
                    && buf.getByte(i + 3) == '\n') {
                end = i + 4;
                break;
            }
        }
        if (end < 0) {
            if (buf.readableBytes() > 16384) {
                fail("upgrade response too long");
            }
            return false;
        }
        for (int i = 0; i < HTTP_101.length; i++) {
            if (buf.getByte(buf.readerIndex() + i) != HTTP_101[i]) {
                String head = buf.toString(buf.readerIndex(), Math.min(64, end - buf.readerIndex()),
                        StandardCharsets.US_ASCII);
                buf.readerIndex(end);
                fail("upgrade refused: " + head.lines().findFirst().orElse(""));
                return false;
            }
        }
        buf.readerIndex(end);
        upgraded = true;
        protocol.onOpen(this);
        return true;
    }

    private void readFrames(ByteBuf buf) {
        while (buf.readableBytes() >= 2 && !closed) {
            int r = buf.readerIndex();
            int b0 = buf.getUnsignedByte(r);
            int b1 = buf.getUnsignedByte(r + 1);
            boolean masked = (b1 & 0x80) != 0;
            long len = b1 & 0x7f;
            int header = 2;
            if (len == 126) {
                if (buf.readableBytes() < 4) {
                    return;
                }
                len = buf.getUnsignedShort(r + 2);
                header = 4;
            } else if (len == 127) {
                if (buf.readableBytes() < 10) {
                    return;
                }
                len = buf.getLong(r + 2);
                header = 10;
            }
            if (masked) {
                header += 4; // servers never mask; tolerate it anyway by skipping the key (payload stays masked)
            }
            if (len > 64L << 20) {
                fail("frame too large: " + len);
                return;
            }
            if (buf.readableBytes() < header + len) {
                return;
            }
            // the payload is handed over as buf itself with its indexes narrowed to the frame: no slice object
            // per frame (millions per second here)
            int end = r + header + (int) len;
            int limit = buf.writerIndex();
            buf.setIndex(r + header, end);
            try {
                onFrame(b0 & 0x0f, buf);
            } finally {
                buf.setIndex(end, limit);
            }
        }
    }

    private void onFrame(int opcode, ByteBuf payload) {
        switch (opcode) {
            case WsFrames.OP_TEXT, WsFrames.OP_BINARY, WsFrames.OP_CONTINUATION -> {
                protocol.onFrame(this, payload);
                if (isReady()) {
                    Marker.scan(payload, this);
                }
            }
            case WsFrames.OP_PING -> {
                byte[] data = new byte[payload.readableBytes()];
                payload.getBytes(payload.readerIndex(), data);
                send(WsFrames.OP_PONG, data, true);
            }
            case WsFrames.OP_CLOSE -> {
                String reason = payload.readableBytes() >= 2
                        ? "closed by server: " + payload.getUnsignedShort(payload.readerIndex()) + " "
                        + payload.toString(payload.readerIndex() + 2, payload.readableBytes() - 2, StandardCharsets.UTF_8)
                        : "closed by server";
                closed = true;
                send(WsFrames.OP_CLOSE, new byte[0], true);
                if (!ready.isDone()) {
                    ready.completeExceptionally(new IllegalStateException(reason));
                }
                channel0.close();
            }
            default -> {
                // pong and reserved opcodes: nothing to do
            }
        }
    }

    /** Called by {@link Marker#scan} for every marker found in a data frame. */
    public void delivered(long sentNanos, int fromConnection) {
        if (fromConnection != id) {
            listener.onDelivery(this, sentNanos);
        }
    }

    public void presence() {
        listener.onPresence(this);
    }

    public void ack() {
        listener.onAck(this);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        if (cumulation != null) {
            cumulation.release();
            cumulation = null;
        }
        if (!ready.isDone()) {
            ready.completeExceptionally(new IllegalStateException("connection closed before ready"));
        }
        listener.onClosed(this);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!ready.isDone()) {
            ready.completeExceptionally(cause);
        }
        ctx.close();
    }
}
