package dev.switchboard.loadtest.peer;

import dev.switchboard.loadtest.Marker;
import dev.switchboard.loadtest.ws.WsConnection;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Pusher protocol 7 (Soketi): {@code pusher:connection_established} carries the socket_id; subscriptions to
 * {@code private-}/{@code presence-} channels are signed with HMAC-SHA256(app-secret, socket_id:channel[:data]),
 * which the server verifies on every subscribe. Publishing is a client event, which Pusher only allows on a
 * channel the sender is subscribed to and does not echo to the sender.
 */
public final class PusherProtocol implements PeerProtocol {
    static final String APP_KEY = "app-key";
    static final String APP_SECRET = "app-secret";
    private static final byte[] ESTABLISHED = Bytes.ascii("pusher:connection_established");
    private static final byte[] SUCCEEDED = Bytes.ascii("subscription_succeeded");
    private static final byte[] ERROR = Bytes.ascii("pusher:error");
    private static final byte[] PING = Bytes.ascii("pusher:ping");
    private static final byte[] MEMBER_ADDED = Bytes.ascii("member_added");
    private static final byte[] MEMBER_REMOVED = Bytes.ascii("member_removed");
    private static final byte[] SOCKET_ID = Bytes.ascii("socket_id");
    private static final ThreadLocal<Mac> MAC = ThreadLocal.withInitial(() -> {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(APP_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    });

    private final boolean presence;

    public PusherProtocol(boolean presence) {
        this.presence = presence;
    }

    private String channelName(String logical) {
        return (presence ? "presence-" : "private-") + logical;
    }

    @Override
    public String path(WsConnection c) {
        return "/app/" + APP_KEY + "?protocol=7&client=js&version=8.4.0&flash=false";
    }

    @Override
    public void onOpen(WsConnection c) {
    }

    @Override
    public void onFrame(WsConnection c, ByteBuf payload) {
        if (Bytes.contains(payload, PING, 32)) {
            c.sendText("{\"event\":\"pusher:pong\",\"data\":{}}");
            return;
        }
        switch (c.state) {
            case 0 -> {
                if (Bytes.contains(payload, ESTABLISHED, 48)) {
                    c.aux = socketId(payload);
                    if (c.channel != null) {
                        c.sendText(subscribe(c, c.channel));
                        c.state = 1;
                    } else {
                        c.state = 2;
                        c.markReady();
                    }
                } else if (Bytes.contains(payload, ERROR, 48)) {
                    c.fail("refused: " + Bytes.text(payload, 160));
                }
            }
            case 1 -> {
                if (Bytes.contains(payload, SUCCEEDED, 64)) {
                    c.state = 2;
                    c.markReady();
                } else if (Bytes.contains(payload, ERROR, 48)) {
                    c.fail("subscribe refused: " + Bytes.text(payload, 160));
                }
            }
            default -> {
                if (presence && (Bytes.contains(payload, MEMBER_ADDED, 48)
                        || Bytes.contains(payload, MEMBER_REMOVED, 48))) {
                    c.presence();
                } else if (Bytes.contains(payload, SUCCEEDED, 64)) {
                    c.ack();
                }
            }
        }
    }

    /** Reads the socket_id out of the stringified {@code data}: {@code \"socket_id\":\"123.456\"}. */
    private static String socketId(ByteBuf payload) {
        int at = Bytes.indexOf(payload, SOCKET_ID, payload.readableBytes());
        if (at < 0) {
            throw new IllegalStateException("no socket_id");
        }
        StringBuilder id = new StringBuilder();
        int p = at + SOCKET_ID.length;
        int end = payload.writerIndex();
        while (p < end && !Character.isDigit(payload.getByte(p))) {
            p++;
        }
        while (p < end) {
            byte b = payload.getByte(p);
            if (!(Character.isDigit(b) || b == '.')) {
                break;
            }
            id.append((char) b);
            p++;
        }
        return id.toString();
    }

    private String subscribe(WsConnection c, String logical) {
        String channel = channelName(logical);
        if (presence) {
            String data = "{\"user_id\":\"u" + c.id + "\"}";
            String sig = sign(c.aux + ":" + channel + ":" + data);
            return "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"" + channel + "\",\"auth\":\"" + APP_KEY
                    + ":" + sig + "\",\"channel_data\":\"" + data.replace("\"", "\\\"") + "\"}}";
        }
        String sig = sign(c.aux + ":" + channel);
        return "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"" + channel + "\",\"auth\":\"" + APP_KEY
                + ":" + sig + "\"}}";
    }

    private static String sign(String text) {
        return HexFormat.of().formatHex(MAC.get().doFinal(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** {@inheritDoc} (the Pusher protocol sends every event as its own WebSocket message) */
    @Override
    public boolean oneMessagePerFrame() {
        return true;
    }

    @Override
    public Marker.Template publishTemplate(String channel) {
        return Marker.Template.text("{\"event\":\"client-msg\",\"channel\":\"" + channelName(channel) + "\",\"data\":",
                "}");
    }

    @Override
    public boolean publisherSubscribes() {
        return true;
    }

    @Override
    public boolean supportsPresence() {
        return presence;
    }

    @Override
    public void join(WsConnection c, String channel) {
        c.sendText(subscribe(c, channel));
    }

    @Override
    public void leave(WsConnection c, String channel) {
        c.sendText("{\"event\":\"pusher:unsubscribe\",\"data\":{\"channel\":\"" + channelName(channel) + "\"}}");
    }

    @Override
    public String authNote() {
        return "HMAC-SHA256 channel auth verified per subscribe";
    }
}
