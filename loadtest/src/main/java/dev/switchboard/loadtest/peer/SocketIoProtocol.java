package dev.switchboard.loadtest.peer;

import dev.switchboard.loadtest.Marker;
import dev.switchboard.loadtest.ws.WsConnection;
import io.netty.buffer.ByteBuf;

/**
 * Socket.IO 4 (Engine.IO 4) against shared/peers/socketio-server.js: {@code 0{…}} → {@code 40} →
 * {@code 40{…}} → {@code 42["join",room]}; publish {@code 42["pub",room,data]}; Engine.IO pings ({@code 2})
 * are answered with {@code 3}. The join has no acknowledgement: the connection counts as ready once the join
 * is written (scenarios settle for a moment before measuring).
 */
public final class SocketIoProtocol implements PeerProtocol {
    @Override
    public String path(WsConnection c) {
        return "/socket.io/?EIO=4&transport=websocket";
    }

    @Override
    public void onOpen(WsConnection c) {
    }

    @Override
    public void onFrame(WsConnection c, ByteBuf payload) {
        if (payload.readableBytes() == 1 && payload.getByte(payload.readerIndex()) == '2') {
            c.sendText("3");
            return;
        }
        switch (c.state) {
            case 0 -> {
                if (payload.isReadable() && payload.getByte(payload.readerIndex()) == '0') {
                    c.sendText("40");
                    c.state = 1;
                }
            }
            case 1 -> {
                if (payload.readableBytes() >= 2 && payload.getByte(payload.readerIndex()) == '4'
                        && payload.getByte(payload.readerIndex() + 1) == '0') {
                    if (c.channel != null && !c.publisher) {
                        c.sendText("42[\"join\",\"" + c.channel + "\"]");
                    }
                    c.state = 2;
                    c.markReady();
                } else if (payload.readableBytes() >= 2 && payload.getByte(payload.readerIndex() + 1) == '4') {
                    c.fail("connect refused: " + Bytes.text(payload, 120));
                }
            }
            default -> {
            }
        }
    }

    /** {@inheritDoc} (Engine.IO over WebSocket sends every packet as its own frame) */
    @Override
    public boolean oneMessagePerFrame() {
        return true;
    }

    @Override
    public Marker.Template publishTemplate(String channel) {
        return Marker.Template.text("42[\"pub\",\"" + channel + "\",", "]");
    }
}
