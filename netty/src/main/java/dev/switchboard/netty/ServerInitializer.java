package dev.switchboard.netty;

import dev.switchboard.core.Node;
import dev.switchboard.protocol.Limits;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline of a fresh connection: HTTP/1.1 with request lines and headers up to 64 KiB (a JWT with full
 * metadata claims makes a ~17 KB query string; protocol.md §1.1), then the router, which counts bodies against
 * the REST cap itself (no aggregator: a 413 must not require reading the body whole, rest-api.md §1.2). With
 * {@code proxyProtocol} a PROXY protocol header comes first, and only trusted proxies may connect.
 * A connection that sends nothing for the configured HTTP idle timeout while still speaking HTTP (a socket opened and
 * left silent, an idle keep-alive) is closed, so silent sockets cannot pile up. After a WebSocket upgrade the HTTP
 * handlers, this timeout included, are swapped for the frame handlers; liveness is then the keepalive's job.
 */
final class ServerInitializer extends ChannelInitializer<SocketChannel> {
    static final String HTTP_IDLE = "http-idle";

    private final Node node;
    private final HttpRoutes routes;
    private final ConnectThrottle throttle;
    private final long httpIdleMillis;
    private final TrustedProxies proxies;
    private final boolean proxyProtocol;
    private final TlsContext tls;

    ServerInitializer(Node node, HttpRoutes routes, ConnectThrottle throttle, long httpIdleMillis,
                      TrustedProxies proxies, boolean proxyProtocol, TlsContext tls) {
        this.node = node;
        this.routes = routes;
        this.throttle = throttle;
        this.httpIdleMillis = httpIdleMillis;
        this.proxies = proxies;
        this.proxyProtocol = proxyProtocol;
        this.tls = tls;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        HttpDecoderConfig decoderConfig = new HttpDecoderConfig()
                .setMaxInitialLineLength(Limits.MAX_HTTP_HEADER_BYTES)
                .setMaxHeaderSize(Limits.MAX_HTTP_HEADER_BYTES);
        channel.pipeline().addLast(HTTP_IDLE, new ReadTimeoutHandler(httpIdleMillis, TimeUnit.MILLISECONDS));
        if (proxyProtocol) {
            if (!proxies.trusts(channel.remoteAddress().getAddress())) {
                channel.close(); // a PROXY header from anyone but our proxies would be a forged client address
                return;
            }
            channel.pipeline().addLast("proxy-protocol-decoder", new HAProxyMessageDecoder())
                    .addLast("proxy-protocol", new ProxyProtocol());
        }
        if (tls != null) {
            channel.pipeline().addLast("tls-detector", new TlsDetector(tls));
        }
        channel.pipeline()
                .addLast("http-codec", new HttpServerCodec(decoderConfig))
                .addLast("http-router", new HttpRouter(node, routes, throttle, proxies));
    }
}
