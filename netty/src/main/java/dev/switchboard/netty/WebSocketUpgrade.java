package dev.switchboard.netty;

import dev.switchboard.core.Node;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Completes the WebSocket upgrade of {@code GET /v1}, then admits the connection. Admission failures are close
 * frames with the 4xxx codes of protocol.md §2.2 after a completed upgrade — an HTTP error status would reach
 * browsers and the SDK only as 1006.
 */
final class WebSocketUpgrade {
    private WebSocketUpgrade() {
    }

    static void upgrade(ChannelHandlerContext ctx, FullHttpRequest request, Node node, int maxFrameBytes) {
        WebSocketDecoderConfig decoderConfig = WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(maxFrameBytes)
                .allowExtensions(false)
                .closeOnProtocolViolation(true)
                .withUTF8Validator(true)
                .build();
        String location = "ws://" + request.headers().get(HttpHeaderNames.HOST, "localhost") + HttpRouter.WEBSOCKET_PATH;
        WebSocketServerHandshaker handshaker =
                new WebSocketServerHandshakerFactory(location, null, decoderConfig).newHandshaker(request);
        if (handshaker == null) {
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
            return;
        }
        handshaker.handshake(ctx.channel(), request);

        // Synchronously on the event loop, before any further read: frames that follow the upgrade request
        // reach the session's handler, never the HTTP router.
        ChannelPipeline pipeline = ctx.pipeline();
        if (pipeline.get(ServerInitializer.HTTP_IDLE) != null) {
            pipeline.remove(ServerInitializer.HTTP_IDLE);
        }
        Map<String, List<String>> query = new QueryStringDecoder(request.uri(), StandardCharsets.UTF_8).parameters();
        Node.Opening opening = node.open(single(query, "token"), single(query, "key"),
                request.headers().get(HttpHeaderNames.ORIGIN),
                new NettyTransport(ctx.channel(), pipeline.context(WebSocketFrameEncoder.class)));
        switch (opening) {
            case Node.Opening.Opened opened -> pipeline.replace(ctx.handler(), "ws-session", new WsFrameHandler(opened.session()))
                    .addBefore("ws-session", "ws-aggregator", new WebSocketFrameAggregator(maxFrameBytes));
            case Node.Opening.Refused refused -> {
                pipeline.remove(ctx.handler());
                ctx.channel().writeAndFlush(new CloseWebSocketFrame(refused.code().code(), refused.reason()))
                        .addListener(ChannelFutureListener.CLOSE);
            }
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
