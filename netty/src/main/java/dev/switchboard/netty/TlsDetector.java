package dev.switchboard.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import java.util.List;

/**
 * The first bytes of a connection to a TLS port decide what it gets: a TLS record is handed to an
 * {@link SslHandler} with the current certificate; anything else passes on as plain HTTP, marked so that the
 * router answers it with a clear refusal ({@link HttpRouter}) instead of leaving the client waiting for a
 * handshake that never comes.
 */
final class TlsDetector extends ByteToMessageDecoder {
    /** A TLS record header: content type, version, length. */
    private static final int RECORD_HEADER_BYTES = 5;
    private static final AttributeKey<Boolean> PLAINTEXT = AttributeKey.valueOf("switchboard.plaintextOnTlsPort");

    private final TlsContext tls;

    TlsDetector(TlsContext tls) {
        this.tls = tls;
    }

    /** Whether this connection spoke plain HTTP to the TLS port. */
    static boolean plaintext(Channel channel) {
        return Boolean.TRUE.equals(channel.attr(PLAINTEXT).get());
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() < RECORD_HEADER_BYTES) {
            return;
        }
        if (SslHandler.isEncrypted(in, false)) {
            ctx.pipeline().replace(this, "tls", tls.newHandler(ctx.alloc()));
        } else {
            ctx.channel().attr(PLAINTEXT).set(Boolean.TRUE);
            ctx.pipeline().remove(this); // the buffered bytes go on to the HTTP codec
        }
    }
}
