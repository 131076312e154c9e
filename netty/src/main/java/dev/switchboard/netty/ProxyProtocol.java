package dev.switchboard.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The PROXY protocol (v1 text or v2 binary, HAProxy's spec) in front of HTTP when {@code server.proxyProtocol} is
 * on: Netty's {@code HAProxyMessageDecoder} reads the header, this handler keeps its source address as the
 * connection's peer for {@link TrustedProxies#client} and steps aside. Only trusted proxies may connect at all
 * then (checked in {@link ServerInitializer}); a {@code LOCAL} header (a health check) keeps the TCP peer.
 */
final class ProxyProtocol extends ChannelInboundHandlerAdapter {
    private static final AttributeKey<InetAddress> SOURCE = AttributeKey.valueOf("switchboard.proxySource");

    /** The peer of this connection: the PROXY header's source, or the TCP peer. */
    static InetAddress peer(Channel channel) {
        InetAddress source = channel.attr(SOURCE).get();
        return source != null ? source : ((InetSocketAddress) channel.remoteAddress()).getAddress();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HAProxyMessage header)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            if (header.command() == HAProxyCommand.PROXY && header.sourceAddress() != null) {
                InetAddress source = TrustedProxies.literal(header.sourceAddress());
                if (source == null) {
                    ctx.close();
                    return;
                }
                ctx.channel().attr(SOURCE).set(source);
            }
            ctx.pipeline().remove(this);
        } finally {
            ReferenceCountUtil.release(header);
        }
    }
}
