package dev.switchboard.loadtest.peer;

import dev.switchboard.loadtest.Marker;
import dev.switchboard.loadtest.ws.WsConnection;
import io.netty.buffer.ByteBuf;

/**
 * nginx + nchan: subscribers open {@code /sub/<channel>} (nothing to send), publishers open
 * {@code /pub/<channel>} and every text frame they send is one message. A connection cannot do both, so
 * there is no chat scenario for nchan.
 */
public final class NchanProtocol implements PeerProtocol {
    @Override
    public String path(WsConnection c) {
        return (c.publisher ? "/pub/" : "/sub/") + c.channel;
    }

    @Override
    public void onOpen(WsConnection c) {
        c.state = 2;
        c.markReady();
    }

    @Override
    public void onFrame(WsConnection c, ByteBuf payload) {
    }

    @Override
    public Marker.Template publishTemplate(String channel) {
        return Marker.Template.text("", "");
    }

    @Override
    public boolean supportsChat() {
        return false;
    }
}
