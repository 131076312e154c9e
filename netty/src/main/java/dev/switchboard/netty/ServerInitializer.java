package dev.switchboard.netty;

import dev.switchboard.core.Node;
import dev.switchboard.protocol.Limits;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;

/**
 * The pipeline of a fresh connection: HTTP/1.1 with request lines and headers up to 64 KiB (a JWT with full
 * metadata claims makes a ~17 KB query string; protocol.md §1.1), then the router, which counts bodies against
 * the REST cap itself (no aggregator: a 413 must not require reading the body whole, rest-api.md §1.2).
 * After a WebSocket upgrade the HTTP handlers are swapped for the frame handlers.
 */
final class ServerInitializer extends ChannelInitializer<SocketChannel> {
    private final Node node;
    private final HttpRoutes routes;
    private final ConnectThrottle throttle;

    ServerInitializer(Node node, HttpRoutes routes, ConnectThrottle throttle) {
        this.node = node;
        this.routes = routes;
        this.throttle = throttle;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        HttpDecoderConfig decoderConfig = new HttpDecoderConfig()
                .setMaxInitialLineLength(Limits.MAX_HTTP_HEADER_BYTES)
                .setMaxHeaderSize(Limits.MAX_HTTP_HEADER_BYTES);
        channel.pipeline()
                .addLast("http-codec", new HttpServerCodec(decoderConfig))
                .addLast("http-router", new HttpRouter(node, routes, throttle));
    }
}
