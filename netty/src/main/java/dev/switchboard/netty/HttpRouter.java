package dev.switchboard.netty;

import dev.switchboard.core.Node;
import dev.switchboard.protocol.Limits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first handler of every connection: routes {@code GET /v1} with an upgrade to {@link WebSocketUpgrade}
 * and everything else to the plain HTTP routes. The answers of protocol.md §1.2 live here: 426 for
 * {@code /v1} without an upgrade, 429 over the per-IP connection-attempt limit, 404 elsewhere.
 *
 * <p>Bodies are not aggregated up front, so the check order of rest-api.md §1.3 holds: the routes screen the
 * headers first (route, authentication), then the body is counted as it streams in and answered 413 as soon as
 * it passes {@link Limits#MAX_REST_BODY_BYTES} — by its {@code Content-Length} before a byte of it is read, or
 * by the running count of a chunked body — without ever holding more than the cap. A request answered before
 * its body was read is answered with {@code Connection: close}; the rest of the body is read and discarded
 * for a short while after the response so the client sees the answer instead of a connection reset.
 */
final class HttpRouter extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(HttpRouter.class);
    static final String WEBSOCKET_PATH = "/v1";
    private static final long LINGER_MILLIS = 2_000;
    private static final long LINGER_MAX_BYTES = 4L << 20;

    /** What the inbound bytes of the current request are for. */
    private enum Mode {
        /** Between requests. */
        IDLE,
        /** {@code GET /v1}: waiting for the end of the (empty) body before upgrading. */
        UPGRADE,
        /** A REST body being collected into {@link #body}. */
        BODY,
        /** Already answered with keep-alive; skip to the end of the request. */
        SKIP,
        /** Answered with {@code Connection: close}; discard everything until the socket closes. */
        LINGER
    }

    private final Node node;
    private final HttpRoutes routes;
    private final ConnectThrottle throttle;
    private final TrustedProxies proxies;
    private final int maxFrameBytes;

    private Mode mode = Mode.IDLE;
    private HttpRequest head;
    /** The client of the current request: the TCP or PROXY peer, or whom trusted proxies forwarded for. */
    private InetAddress client;
    private String rawPath;
    private String query;
    private ByteArrayOutputStream body;
    private long lingered;

    HttpRouter(Node node, HttpRoutes routes, ConnectThrottle throttle, TrustedProxies proxies) {
        this.node = node;
        this.routes = routes;
        this.throttle = throttle;
        this.proxies = proxies;
        this.maxFrameBytes = node.settings().maxFrameBytes();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpRequest request) {
                onHead(ctx, request);
            }
            if (msg instanceof HttpContent content) {
                onContent(ctx, content);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onHead(ChannelHandlerContext ctx, HttpRequest request) {
        if (mode == Mode.LINGER) {
            return;
        }
        head = request;
        client = proxies.client(ProxyProtocol.peer(ctx.channel()), request.headers());
        if (!request.decoderResult().isSuccess()) {
            answerAndClose(ctx, HttpResponseStatus.BAD_REQUEST, error("invalid_request", "malformed HTTP request"));
            return;
        }
        if (TlsDetector.plaintext(ctx.channel())) {
            answerAndClose(ctx, HttpResponseStatus.BAD_REQUEST, error("invalid_request",
                    "this port speaks TLS: use https:// for REST and wss:// for WebSocket"));
            return;
        }
        String uri = request.uri();
        int queryStart = uri.indexOf('?');
        rawPath = queryStart < 0 ? uri : uri.substring(0, queryStart);
        query = queryStart < 0 ? "" : uri.substring(queryStart + 1);
        if (rawPath.equals(WEBSOCKET_PATH) && request.method().equals(HttpMethod.GET)) {
            mode = Mode.UPGRADE;
            return;
        }
        HttpRoutes.HttpReply early;
        try {
            early = routes.screen(call(ctx, new byte[0]));
        } catch (RuntimeException e) {
            log.atError().setMessage("http_screen_failed").addKeyValue("method", request.method())
                    .addKeyValue("path", rawPath).setCause(e).log();
            early = new HttpRoutes.HttpReply(503, error("internal_error", "internal error"));
        }
        if (early != null) {
            answerEarly(ctx, HttpResponseStatus.valueOf(early.status()), early.json(), early.contentType());
            return;
        }
        if (HttpUtil.getContentLength(request, 0L) > Limits.MAX_REST_BODY_BYTES) {
            answerAndClose(ctx, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, tooLarge());
            return;
        }
        if (HttpUtil.is100ContinueExpected(request)) {
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
                    Unpooled.EMPTY_BUFFER), ctx.voidPromise());
        }
        body = new ByteArrayOutputStream();
        mode = Mode.BODY;
    }

    private void onContent(ChannelHandlerContext ctx, HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        ByteBuf bytes = content.content();
        switch (mode) {
            case UPGRADE -> {
                if (last) {
                    mode = Mode.IDLE;
                    upgradeOrRefuse(ctx);
                }
            }
            case BODY -> {
                if (body.size() + (long) bytes.readableBytes() > Limits.MAX_REST_BODY_BYTES) {
                    body = null;
                    answerAndClose(ctx, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, tooLarge());
                    return;
                }
                byte[] chunk = new byte[bytes.readableBytes()];
                bytes.readBytes(chunk);
                body.writeBytes(chunk);
                if (last) {
                    byte[] complete = body.toByteArray();
                    body = null;
                    mode = Mode.IDLE;
                    dispatch(ctx, complete);
                }
            }
            case SKIP -> {
                if (last) {
                    mode = Mode.IDLE;
                }
            }
            case LINGER -> {
                lingered += bytes.readableBytes();
                if (lingered > LINGER_MAX_BYTES) {
                    ctx.close();
                }
            }
            case IDLE -> {
                // a stray chunk between requests carries nothing we could answer
            }
        }
    }

    private void upgradeOrRefuse(ChannelHandlerContext ctx) {
        HttpRequest request = head;
        if (!isUpgrade(request)) {
            answer(ctx, HttpResponseStatus.UPGRADE_REQUIRED,
                    error("upgrade_required", "connect with a WebSocket client to /v1?token=… or /v1?key=…"));
            return;
        }
        if (!request.headers().contains(HttpHeaderNames.SEC_WEBSOCKET_KEY)) {
            answer(ctx, HttpResponseStatus.BAD_REQUEST,
                    error("invalid_request", "a WebSocket upgrade needs a Sec-WebSocket-Key header"));
            return;
        }
        if (!throttle.tryAcquire(client, System.nanoTime())) {
            node.metrics().connectThrottled();
            answer(ctx, HttpResponseStatus.TOO_MANY_REQUESTS,
                    error("rate_limited", "too many connection attempts from this address"));
            return;
        }
        WebSocketUpgrade.upgrade(ctx, new DefaultFullHttpRequest(request.protocolVersion(), request.method(),
                request.uri(), Unpooled.EMPTY_BUFFER, request.headers(), EmptyHttpHeaders.INSTANCE), node, maxFrameBytes,
                client);
    }

    private void dispatch(ChannelHandlerContext ctx, byte[] complete) {
        HttpRoutes.HttpReply answer;
        try {
            answer = routes.handle(call(ctx, complete));
        } catch (RuntimeException e) {
            log.atError().setMessage("http_route_failed").addKeyValue("method", head.method())
                    .addKeyValue("path", rawPath).setCause(e).log();
            answer = new HttpRoutes.HttpReply(503, error("internal_error", "internal error"));
        }
        if (answer != null && answer.later() != null) {
            ctx.channel().config().setAutoRead(false);
            answer.later().whenComplete((reply, failure) -> ctx.executor().execute(() -> {
                if (failure != null) {
                    log.atError().setMessage("http_route_failed").addKeyValue("path", rawPath).setCause(failure)
                            .log();
                }
                reply(ctx, failure == null ? reply
                        : new HttpRoutes.HttpReply(503, error("internal_error", "internal error")));
                ctx.channel().config().setAutoRead(true);
            }));
            return;
        }
        reply(ctx, answer);
    }

    private void reply(ChannelHandlerContext ctx, HttpRoutes.HttpReply answer) {
        if (answer == null) {
            answer(ctx, HttpResponseStatus.NOT_FOUND, error("not_found", "no such endpoint"));
        } else {
            answer(ctx, HttpResponseStatus.valueOf(answer.status()), answer.json(), answer.contentType());
        }
    }

    private HttpRoutes.HttpCall call(ChannelHandlerContext ctx, byte[] content) {
        return new HttpRoutes.HttpCall(head.method().name(), rawPath, query,
                head.headers().get(HttpHeaderNames.AUTHORIZATION), content,
                TrustedProxies.limitKey(client).getHostAddress(), client.isLoopbackAddress());
    }

    /**
     * Answers before the body was read: keeps the connection when the request announced no body, otherwise
     * closes it, since the unread body would be taken for the next request.
     */
    private void answerEarly(ChannelHandlerContext ctx, HttpResponseStatus status, byte[] json, String type) {
        boolean bodyless = !HttpUtil.isTransferEncodingChunked(head) && HttpUtil.getContentLength(head, 0L) == 0;
        if (!bodyless || !HttpUtil.isKeepAlive(head)) {
            answerAndClose(ctx, status, json);
            return;
        }
        mode = Mode.SKIP;
        answer(ctx, status, json, type);
    }

    /** Answers with {@code Connection: close}, half-closes, and discards input until the client goes away. */
    private void answerAndClose(ChannelHandlerContext ctx, HttpResponseStatus status, byte[] json) {
        mode = Mode.LINGER;
        FullHttpResponse response = response(status, json);
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener((ChannelFutureListener) future -> {
            if (future.channel() instanceof DuplexChannel duplex && future.isSuccess()) {
                duplex.shutdownOutput();
                ctx.executor().schedule(() -> ctx.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
            } else {
                ctx.close();
            }
        });
    }

    private void answer(ChannelHandlerContext ctx, HttpResponseStatus status, byte[] json) {
        answer(ctx, status, json, HttpRoutes.HttpReply.JSON);
    }

    private void answer(ChannelHandlerContext ctx, HttpResponseStatus status, byte[] body, String type) {
        FullHttpResponse response = response(status, body, type);
        if (HttpUtil.isKeepAlive(head)) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(response, ctx.voidPromise());
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static FullHttpResponse response(HttpResponseStatus status, byte[] json) {
        return response(status, json, HttpRoutes.HttpReply.JSON);
    }

    private static FullHttpResponse response(HttpResponseStatus status, byte[] body, String type) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(body));
        if (body.length > 0) {
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        }
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return response;
    }

    private static boolean isUpgrade(HttpRequest request) {
        return request.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
                && request.headers().contains(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
    }

    private static byte[] tooLarge() {
        return error("invalid_request", "request body larger than " + Limits.MAX_REST_BODY_BYTES + " bytes");
    }

    static byte[] error(String code, String message) {
        return ("{\"error\":\"" + code + "\",\"message\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.atDebug().setMessage("http_connection_failed").addKeyValue("remote", ctx.channel().remoteAddress())
                .addKeyValue("cause", cause).log();
        ctx.close();
    }
}
