package dev.switchboard.loadtest.peer;

import dev.switchboard.loadtest.Marker;
import dev.switchboard.loadtest.ws.WsConnection;
import io.netty.buffer.ByteBuf;

/**
 * Centrifuge protocol v1 JSON (shared/peers/README.md): connect (method 0) → subscribe (method 1) → publish
 * (method 3, an id is required, so the publisher gets a reply per publish). Join/leave pushes arrive as
 * {@code {"type":1,"channel"…}} / {@code {"type":2,"channel"…}} (Debian's 0.15 numbering) when the server runs
 * with {@code CENT_PRESENCE=1}; several replies and pushes can share one frame, newline-delimited. The bench server
 * accepts anonymous connections, so its handshake does no token verification.
 */
public final class CentrifugeProtocol implements PeerProtocol {
    private static final byte[] ID1 = Bytes.ascii("\"id\":1,");
    private static final byte[] ID1_END = Bytes.ascii("\"id\":1}");
    private static final byte[] ID2 = Bytes.ascii("\"id\":2");
    private static final byte[] ERROR = Bytes.ascii("\"error\"");
    private static final byte[] JOIN = Bytes.ascii("{\"type\":1,\"channel\"");
    private static final byte[] LEAVE = Bytes.ascii("{\"type\":2,\"channel\"");
    private static final byte[] ID = Bytes.ascii("{\"id\":");

    private final boolean presence;

    public CentrifugeProtocol(boolean presence) {
        this.presence = presence;
    }

    @Override
    public String path(WsConnection c) {
        return "/connection/websocket";
    }

    @Override
    public void onOpen(WsConnection c) {
        c.sendText("{\"id\":1,\"method\":0,\"params\":{}}");
    }

    @Override
    public void onFrame(WsConnection c, ByteBuf payload) {
        switch (c.state) {
            case 0 -> {
                if (Bytes.contains(payload, ERROR, 64)) {
                    c.fail("connect refused: " + Bytes.text(payload, 160));
                } else if (Bytes.contains(payload, ID1, 16) || Bytes.contains(payload, ID1_END, 16)) {
                    if (c.channel != null && !c.publisher) {
                        c.sendText("{\"id\":2,\"method\":1,\"params\":{\"channel\":\"" + c.channel + "\"}}");
                        c.state = 1;
                    } else {
                        c.state = 2;
                        c.markReady();
                    }
                }
            }
            case 1 -> {
                if (Bytes.contains(payload, ID2, 16)) {
                    if (Bytes.contains(payload, ERROR, 64)) {
                        c.fail("subscribe refused: " + Bytes.text(payload, 160));
                    } else {
                        c.state = 2;
                        c.markReady();
                    }
                }
            }
            default -> {
                if (presence) {
                    // several newline-delimited replies and pushes may share one frame
                    for (int i = Bytes.count(payload, JOIN) + Bytes.count(payload, LEAVE); i > 0; i--) {
                        c.presence();
                    }
                }
                if (Bytes.startsWith(payload, ID)) {
                    c.ack();
                }
            }
        }
    }

    @Override
    public Marker.Template publishTemplate(String channel) {
        return Marker.Template.text("{\"id\":3,\"method\":3,\"params\":{\"channel\":\"" + channel + "\",\"data\":", "}}");
    }

    @Override
    public boolean supportsPresence() {
        return presence;
    }

    @Override
    public void join(WsConnection c, String channel) {
        c.sendText("{\"id\":" + (c.nextRequestId++) + ",\"method\":1,\"params\":{\"channel\":\"" + channel + "\"}}");
    }

    @Override
    public void leave(WsConnection c, String channel) {
        c.sendText("{\"id\":" + (c.nextRequestId++) + ",\"method\":2,\"params\":{\"channel\":\"" + channel + "\"}}");
    }

    @Override
    public String authNote() {
        return "anonymous (no token verified)";
    }
}
