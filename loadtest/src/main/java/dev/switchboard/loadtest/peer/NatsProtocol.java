package dev.switchboard.loadtest.peer;

import dev.switchboard.loadtest.Marker;
import dev.switchboard.loadtest.ws.WsConnection;
import io.netty.buffer.ByteBuf;

/**
 * NATS core over WebSocket: {@code INFO} → {@code CONNECT}+{@code SUB}+{@code PING}, {@code PONG} means
 * subscribed; publish is {@code PUB subject len}; the server's {@code PING}s are answered. No presence.
 */
public final class NatsProtocol implements PeerProtocol {
    private static final byte[] INFO = Bytes.ascii("INFO");
    private static final byte[] PONG = Bytes.ascii("PONG");
    private static final byte[] PING = Bytes.ascii("PING");
    private static final byte[] ERR = Bytes.ascii("-ERR");

    @Override
    public String path(WsConnection c) {
        return "/";
    }

    @Override
    public void onOpen(WsConnection c) {
    }

    @Override
    public void onFrame(WsConnection c, ByteBuf payload) {
        switch (c.state) {
            case 0 -> {
                if (Bytes.startsWith(payload, INFO)) {
                    String sub = c.channel != null && !c.publisher ? "SUB " + c.channel + " 1\r\n" : "";
                    c.sendText("CONNECT {\"verbose\":false,\"pedantic\":false,\"protocol\":1,\"echo\":false}\r\n"
                            + sub + "PING\r\n");
                    c.state = 1;
                }
            }
            case 1 -> {
                if (Bytes.contains(payload, PONG, payload.readableBytes())) {
                    c.state = 2;
                    c.markReady();
                } else if (Bytes.startsWith(payload, ERR)) {
                    c.fail("refused: " + Bytes.text(payload, 120));
                }
            }
            default -> {
                if (Bytes.startsWith(payload, PING)) {
                    c.sendText("PONG\r\n");
                }
            }
        }
    }

    @Override
    public Marker.Template publishTemplate(String channel) {
        return Marker.Template.text("PUB " + channel + " " + Marker.dataLength() + "\r\n", "\r\n");
    }
}
