package dev.switchboard.loadtest.peer;

import dev.switchboard.loadtest.Marker;
import java.nio.file.Path;
import dev.switchboard.loadtest.ws.WsConnection;
import io.netty.buffer.ByteBuf;

/**
 * Switchboard's own protocol (spec/protocol.md): {@code /v1?key=} or {@code /v1?token=}, {@code welcome},
 * {@code subscribe} → {@code ack}, {@code publish} without a requestId (so no ack traffic), deliveries as
 * {@code message} frames. Fan-out and chat use a publishable key without the {@code presence} action so that
 * subscribing 10,000 connections does not broadcast 10,000² presence deltas; presence churn uses one with it.
 */
public final class SwitchboardProtocol implements PeerProtocol {
    public static final String APP = "bench";
    public static final String KEY_PLAIN = "pk_live_benchplain000000";
    public static final String KEY_PRESENCE = "pk_live_benchpresence000";
    public static final String SECRET_KEY_ID = "sk_id_bench0000000000000";
    public static final String SECRET = "sk_secret_bench_0123456789abcdef0123456789abcdef";

    private static final byte[] WELCOME = Bytes.ascii("\"welcome\"");
    private static final byte[] ACK = Bytes.ascii("\"type\":\"ack\"");
    private static final byte[] PRESENCE = Bytes.ascii("\"type\":\"presence\"");
    private static final byte[] ERROR = Bytes.ascii("\"type\":\"error\"");

    private final boolean presence;
    private final boolean tls;

    public SwitchboardProtocol(boolean presence, boolean tls) {
        this.presence = presence;
        this.tls = tls;
    }

    @Override
    public boolean tls() {
        return tls;
    }

    /**
     * The YAML configuration for the bench server (one app; rate limit lifted for the publisher; history on
     * {@code hist-*} channels and the presence modes on {@code full-*}, {@code batched-*}, {@code count-*}) with
     * {@code ioThreads} event loops; with {@code tlsDir}, native TLS on its cert.pem and key.pem; metrics on or off.
     */
    public static String config(int port, Path tlsDir, int ioThreads, boolean metrics) {
        String tlsLine = tlsDir == null ? "" : "\n  tls: { certificate: \"" + tlsDir.resolve("cert.pem")
                + "\", privateKey: \"" + tlsDir.resolve("key.pem") + "\" }";
        return """
                server:
                  host: 127.0.0.1
                  port: %d%s
                  ioThreads: %d
                  rateLimit: { burst: 1000000000, perSecond: 1000000000 }
                metrics: { enabled: %b }
                apps:
                  - id: %s
                    keys:
                      - type: publishable
                        id: %s
                        channelPatterns: ["**"]
                        actions: [subscribe, publish, send]
                      - type: publishable
                        id: %s
                        channelPatterns: ["**"]
                        actions: [subscribe, publish, presence, send]
                      - type: secret
                        id: %s
                        secret: %s
                        channelPatterns: ["**"]
                        actions: [subscribe, publish, presence, send]
                    channels:
                      - { pattern: "hist-*", history: { size: 1000, ttl: 5m } }
                      - { pattern: "full-*", presence: { mode: full } }
                      - { pattern: "batched-*", presence: { mode: batched, threshold: 100, interval: 1s } }
                      - { pattern: "count-*", presence: { mode: count, interval: 1s } }
                """.formatted(port, tlsLine, ioThreads, metrics, APP, KEY_PLAIN, KEY_PRESENCE, SECRET_KEY_ID, SECRET);
    }

    @Override
    public String path(WsConnection c) {
        if (c.credential != null) {
            return "/v1?token=" + c.credential;
        }
        return "/v1?key=" + (presence ? KEY_PRESENCE : KEY_PLAIN);
    }

    @Override
    public void onOpen(WsConnection c) {
        // the server speaks first (welcome)
    }

    @Override
    public void onFrame(WsConnection c, ByteBuf payload) {
        switch (c.state) {
            case 0 -> {
                if (Bytes.contains(payload, WELCOME, 24)) {
                    if (c.channel != null && !c.publisher) {
                        c.sendText(subscribe(c.channel, "s"));
                        c.state = 1;
                    } else {
                        c.state = 2;
                        c.markReady();
                    }
                } else {
                    c.fail("expected welcome, got " + Bytes.text(payload, 120));
                }
            }
            case 1 -> {
                if (Bytes.contains(payload, ACK, 24)) {
                    c.state = 2;
                    c.markReady();
                } else if (Bytes.contains(payload, ERROR, 24)) {
                    c.fail("subscribe refused: " + Bytes.text(payload, 160));
                }
            }
            default -> {
                // the first letter of the type ({"type":"…) rules out most frames without a search
                byte kind = payload.readableBytes() > 10 ? payload.getByte(payload.readerIndex() + 9) : 0;
                if (kind == 'p' && Bytes.contains(payload, PRESENCE, 24)) {
                    c.presence();
                } else if (kind == 'a' && Bytes.contains(payload, ACK, 24)) {
                    c.ack();
                }
            }
        }
    }

    private static String subscribe(String channel, String requestId) {
        return "{\"type\":\"subscribe\",\"channel\":\"" + channel + "\",\"requestId\":\"" + requestId + "\"}";
    }

    /** {@inheritDoc} (protocol.md §1.3: every frame holds exactly one JSON object) */
    @Override
    public boolean oneMessagePerFrame() {
        return true;
    }

    @Override
    public Marker.Template publishTemplate(String channel) {
        return Marker.Template.text("{\"type\":\"publish\",\"channel\":\"" + channel + "\",\"data\":", "}");
    }

    @Override
    public boolean supportsPresence() {
        return presence;
    }

    @Override
    public void join(WsConnection c, String channel) {
        c.sendText(subscribe(channel, "j"));
    }

    @Override
    public void leave(WsConnection c, String channel) {
        c.sendText("{\"type\":\"unsubscribe\",\"channel\":\"" + channel + "\",\"requestId\":\"l\"}");
    }

    @Override
    public String authNote() {
        return "HS256 JWT verified per connection";
    }
}
