package dev.switchboard.netty;

import dev.switchboard.core.Node;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first handler of every connection: routes {@code GET /v1} with an upgrade to {@link WebSocketUpgrade}
 * and everything else to the plain HTTP routes. The answers of protocol.md §1.2 live here: 426 for
 * {@code /v1} without an upgrade, 429 over the per-IP connection-attempt limit, 404 elsewhere.
 */
final class HttpRouter extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(HttpRouter.class);
    static final String WEBSOCKET_PATH = "/v1";

    private final Node node;
    private final HttpRoutes routes;
    private final ConnectThrottle throttle;
    private final int maxFrameBytes;

    HttpRouter(Node node, HttpRoutes routes, ConnectThrottle throttle) {
        this.node = node;
        this.routes = routes;
        this.throttle = throttle;
        this.maxFrameBytes = node.settings().maxFrameBytes();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            reply(ctx, request, HttpResponseStatus.BAD_REQUEST, error("invalid_request", "malformed HTTP request"));
            return;
        }
        String uri = request.uri();
        int queryStart = uri.indexOf('?');
        String rawPath = queryStart < 0 ? uri : uri.substring(0, queryStart);
        String query = queryStart < 0 ? "" : uri.substring(queryStart + 1);
        InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();

        if (rawPath.equals(WEBSOCKET_PATH) && request.method().equals(HttpMethod.GET)) {
            if (!isUpgrade(request)) {
                reply(ctx, request, HttpResponseStatus.UPGRADE_REQUIRED,
                        error("upgrade_required", "connect with a WebSocket client to /v1?token=… or /v1?key=…"));
                return;
            }
            if (!throttle.tryAcquire(remote.getAddress(), System.nanoTime())) {
                reply(ctx, request, HttpResponseStatus.TOO_MANY_REQUESTS,
                        error("rate_limited", "too many connection attempts from this address"));
                return;
            }
            WebSocketUpgrade.upgrade(ctx, request, node, maxFrameBytes);
            return;
        }

        HttpRoutes.HttpReply answer;
        try {
            answer = routes.handle(new HttpRoutes.HttpCall(request.method().name(), rawPath, query,
                    request.headers().get(HttpHeaderNames.AUTHORIZATION), ByteBufUtil.getBytes(request.content()),
                    remote.getAddress().getHostAddress(), remote.getAddress().isLoopbackAddress()));
        } catch (RuntimeException e) {
            log.error("event=http_route_failed method={} path={}", request.method(), rawPath, e);
            answer = new HttpRoutes.HttpReply(503, error("internal_error", "internal error"));
        }
        if (answer == null) {
            reply(ctx, request, HttpResponseStatus.NOT_FOUND, error("not_found", "no such endpoint"));
        } else {
            reply(ctx, request, HttpResponseStatus.valueOf(answer.status()), answer.json());
        }
    }

    private static boolean isUpgrade(FullHttpRequest request) {
        return request.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
                && request.headers().contains(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
    }

    static byte[] error(String code, String message) {
        return ("{\"error\":\"" + code + "\",\"message\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    static void reply(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status, byte[] json) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(json));
        if (json.length > 0) {
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
        }
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, json.length);
        boolean keepAlive = HttpUtil.isKeepAlive(request) && request.decoderResult().isSuccess();
        if (keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(response, ctx.voidPromise());
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
