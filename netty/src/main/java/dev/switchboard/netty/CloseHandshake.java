package dev.switchboard.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * The server's side of the WebSocket closing handshake (RFC 6455 §1.4, §5.5.1, §7.1.1), so that every close code
 * reaches a client that is still sending.
 *
 * <p>Closing the socket right after our Close frame loses that frame whenever the client's frames are still
 * arriving: the kernel answers unread input with a reset, which discards what the client has not read yet, and
 * the client sees 1006 and reconnects instead of learning it was rate-limited or kicked. So after the Close frame
 * is flushed the server only half-closes (FIN), and keeps reading and discarding the client's frames until the
 * client's own Close, the client's FIN, or {@link #TIMEOUT_SECONDS}. When the client spoke first, our Close is
 * the echo and the socket closes as soon as it is flushed.
 *
 * <p>Everything here runs on the channel's event loop.
 */
final class CloseHandshake {
    /** A peer that neither answers our Close nor closes its side within this time is cut off. */
    static final long TIMEOUT_SECONDS = 3;
    private static final AttributeKey<Boolean> SENT = AttributeKey.valueOf("switchboard.closeSent");
    private static final AttributeKey<Boolean> RECEIVED = AttributeKey.valueOf("switchboard.closeReceived");

    private CloseHandshake() {
    }

    /**
     * Sends {@code frame} as the connection's last frame and closes the connection as described above. Frames that
     * arrive afterwards are discarded before they reach the session. A second call only releases its frame.
     */
    static void send(Channel channel, CloseWebSocketFrame frame) {
        if (!channel.isActive() || channel.attr(SENT).setIfAbsent(Boolean.TRUE) != null) {
            frame.release();
            return;
        }
        ChannelPipeline pipeline = channel.pipeline();
        ChannelHandlerContext decoder = pipeline.context(WebSocketFrameDecoder.class);
        if (decoder != null) {
            pipeline.addAfter(decoder.name(), "ws-closing", Discard.INSTANCE);
        }
        // Reads may be paused by publisher flow control; the client's Close (or FIN) must still be seen.
        channel.config().setAutoRead(true);
        channel.writeAndFlush(frame).addListener(future -> {
            if (future.isSuccess() && !peerSpokeFirst(channel) && channel instanceof DuplexChannel duplex) {
                duplex.shutdownOutput();
            } else {
                channel.close();
            }
        });
        channel.eventLoop().schedule(() -> {
            channel.close();
        }, TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /** Whether our Close frame has been sent (or is being sent): nothing may follow it, not even a ping. */
    static boolean sent(Channel channel) {
        return Boolean.TRUE.equals(channel.attr(SENT).get());
    }

    /** Records that the client's Close arrived first, so our echo closes the socket once it is flushed. */
    static void peerClosed(Channel channel) {
        channel.attr(RECEIVED).set(Boolean.TRUE);
    }

    private static boolean peerSpokeFirst(Channel channel) {
        return Boolean.TRUE.equals(channel.attr(RECEIVED).get());
    }

    /**
     * Sits right behind the frame decoder once our Close is out: drops every frame, and ends the connection at
     * the client's Close, which completes the handshake.
     */
    @ChannelHandler.Sharable
    private static final class Discard extends ChannelInboundHandlerAdapter {
        static final Discard INSTANCE = new Discard();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            boolean close = msg instanceof CloseWebSocketFrame;
            ReferenceCountUtil.release(msg);
            if (close) {
                ctx.close();
            }
        }

        /** A broken frame after our Close (the decoder has stopped reading): nothing is left to wait for. */
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
