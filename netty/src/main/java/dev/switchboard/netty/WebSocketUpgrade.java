package dev.switchboard.netty;

import dev.switchboard.core.Node;
import dev.switchboard.protocol.CloseCode;
import io.netty.util.ReferenceCountUtil;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.ssl.SslHandler;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Completes the WebSocket upgrade of {@code GET /v1}, then admits the connection. Admission failures are close
 * frames with the 4xxx codes of protocol.md §2.2 after a completed upgrade — an HTTP error status would reach
 * browsers and the SDK only as 1006.
 */
final class WebSocketUpgrade {
    private static final String HOLD_FLUSH = "hold-flush";

    private WebSocketUpgrade() {
    }

    static void upgrade(ChannelHandlerContext ctx, FullHttpRequest request, Node node, int maxFrameBytes,
                        InetAddress client) {
        WebSocketDecoderConfig decoderConfig = WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(maxFrameBytes)
                .allowExtensions(false)
                .closeOnProtocolViolation(false) // answered by the session, after its queued frames (WsFrameHandler)
                .withUTF8Validator(true)
                .build();
        String scheme = ctx.pipeline().get(SslHandler.class) != null ? "wss://" : "ws://";
        String location = scheme + request.headers().get(HttpHeaderNames.HOST, "localhost") + HttpRouter.WEBSOCKET_PATH;
        WebSocketServerHandshaker handshaker =
                new WebSocketServerHandshakerFactory(location, null, decoderConfig).newHandshaker(request);
        if (handshaker == null) {
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
            return;
        }
        // The 101 response leaves in one segment with the frame that follows it (welcome or the refusal's close):
        // the handshake's own flush is held back, and the first flush after it sends both. One send and one
        // wakeup of the client fewer per connection.
        ChannelPipeline pipeline = ctx.pipeline();
        pipeline.addLast(HOLD_FLUSH, HoldFlush.INSTANCE);
        handshaker.handshake(ctx.channel(), request);
        pipeline.remove(HOLD_FLUSH);

        // Synchronously on the event loop, before any further read: frames that follow the upgrade request
        // reach the session's handler, never the HTTP router.
        if (pipeline.get(ServerInitializer.HTTP_IDLE) != null) {
            pipeline.remove(ServerInitializer.HTTP_IDLE);
        }
        Map<String, List<String>> query = new QueryStringDecoder(request.uri(), StandardCharsets.UTF_8).parameters();
        NettyTransport transport =
                new NettyTransport(ctx.channel(), pipeline.context(WebSocketFrameEncoder.class), client);
        Node.Opening opening = node.open(single(query, "token"), single(query, "key"),
                request.headers().get(HttpHeaderNames.ORIGIN), transport);
        if (opening instanceof Node.Opening.Deferred deferred) {
            // The cluster decides (a connection cap): read nothing more, and hold what was read already.
            ctx.channel().config().setAutoRead(false);
            AdmissionPending pending = new AdmissionPending();
            pipeline.replace(ctx.handler(), ADMISSION, pending);
            deferred.outcome().whenComplete((outcome, failure) -> {
                Node.Opening decided = failure == null ? outcome
                        : new Node.Opening.Refused(CloseCode.GOING_AWAY, CloseCode.GOING_AWAY.reason());
                if (ctx.channel().isActive()) {
                    settle(pipeline, pipeline.context(ADMISSION).handler(), decided, transport, maxFrameBytes);
                    pending.release(pipeline);
                    ctx.channel().config().setAutoRead(true);
                } else {
                    pending.discard();
                    if (decided instanceof Node.Opening.Opened opened) {
                        opened.session().onTransportClosed();
                    }
                }
            });
            return;
        }
        settle(pipeline, ctx.handler(), opening, transport, maxFrameBytes);
    }

    private static final String ADMISSION = "ws-admission";

    /** Puts the session's handler in place of {@code current}, or sends the refusal's Close frame. */
    private static void settle(ChannelPipeline pipeline, ChannelHandler current, Node.Opening opening,
                               NettyTransport transport, int maxFrameBytes) {
        switch (opening) {
            case Node.Opening.Opened opened -> pipeline
                    .replace(current, "ws-session", new WsFrameHandler(opened.session(), transport))
                    .addBefore("ws-session", "ws-aggregator", new WebSocketFrameAggregator(maxFrameBytes));
            case Node.Opening.Refused refused -> {
                pipeline.remove(current);
                CloseHandshake.send(pipeline.channel(),
                        new CloseWebSocketFrame(refused.code().code(), refused.reason()));
            }
            case Node.Opening.Deferred deferred -> throw new IllegalStateException("deferred twice");
        }
    }

    /**
     * Holds the frames a client sent before the cluster decided on its admission (reads are paused, so at most
     * what one read brought), to be handed to the session in order once admitted.
     */
    private static final class AdmissionPending extends ChannelInboundHandlerAdapter {
        private final List<Object> held = new ArrayList<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            held.add(msg);
        }

        /**
         * Passes the held frames on to the handlers behind the WebSocket decoder as they are now (the aggregator and
         * the session's handler), or drops them when the connection was refused.
         */
        void release(ChannelPipeline pipeline) {
            ChannelHandlerContext decoder = pipeline.context(WebSocketFrameDecoder.class);
            for (Object msg : held) {
                if (decoder != null && pipeline.get(WsFrameHandler.class) != null) {
                    decoder.fireChannelRead(msg);
                } else {
                    ReferenceCountUtil.release(msg);
                }
            }
            held.clear();
        }

        void discard() {
            held.forEach(ReferenceCountUtil::release);
            held.clear();
        }
    }

    /**
     * Swallows flushes while it is in the pipeline (last, so the handshake's {@code channel.writeAndFlush} meets
     * it first); what was written stays in the outbound buffer for the next flush.
     */
    @ChannelHandler.Sharable
    private static final class HoldFlush extends ChannelOutboundHandlerAdapter {
        static final HoldFlush INSTANCE = new HoldFlush();

        @Override
        public void flush(ChannelHandlerContext ctx) {
            // held: the next flush from a handler nearer the head sends it
        }
    }

    /**
     * The single value of a query parameter, percent-decoded; null when absent. A repeated parameter counts as
     * present with its first value. An empty value is passed on as empty (the authenticator refuses it).
     */
    private static String single(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }
}
