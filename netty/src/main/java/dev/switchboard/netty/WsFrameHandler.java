package dev.switchboard.netty;

import dev.switchboard.core.Session;
import dev.switchboard.protocol.CloseCode;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds one admitted connection's WebSocket frames to its {@link Session}: text frames as their UTF-8 bytes,
 * binary frames as a protocol error, control frames as proof of life. Oversized messages close with 1009, broken
 * frames with the decoder's code; every close completes the closing handshake ({@link CloseHandshake}).
 */
final class WsFrameHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
    private static final Logger log = LoggerFactory.getLogger(WsFrameHandler.class);

    private final Session session;
    private final NettyTransport transport;

    WsFrameHandler(Session session, NettyTransport transport) {
        this.session = session;
        this.transport = transport;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        switch (frame) {
            case TextWebSocketFrame text -> session.onText(ByteBufUtil.getBytes(text.content()));
            case BinaryWebSocketFrame ignored -> session.onBinary();
            case PingWebSocketFrame ping -> {
                session.onControlFrame();
                ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()), ctx.voidPromise());
            }
            case PongWebSocketFrame pong -> session.onPong(transport.pongSequence(pong.content()));
            case CloseWebSocketFrame close -> {
                // The client spoke first: our echo (after nothing else) ends the connection once flushed.
                CloseHandshake.peerClosed(ctx.channel());
                session.onPeerClose(close.statusCode());
            }
            default -> session.onBinary();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isWritable()) {
            session.onWritable();
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        session.onTransportClosed();
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            session.close(CloseCode.MESSAGE_TOO_BIG);
        } else if (cause instanceof CorruptedWebSocketFrameException corrupted) {
            // The decoder has stopped reading frames; answer with its code (1002, 1007 or 1009) after what is queued.
            int code = corrupted.closeStatus().code();
            if (code == CloseCode.MESSAGE_TOO_BIG.code()) {
                session.close(CloseCode.MESSAGE_TOO_BIG);
            } else {
                session.closeForProtocolError(code, corrupted.closeStatus().reasonText());
            }
        } else if (cause instanceof IOException) {
            ctx.close();
        } else {
            log.atWarn().setMessage("connection_error").addKeyValue("app", session.appId())
                    .addKeyValue("peer", session.peerId()).setCause(cause).log();
            ctx.close();
        }
    }
}
