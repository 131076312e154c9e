package dev.switchboard.loadtest.peer;

import dev.switchboard.loadtest.Marker;
import dev.switchboard.loadtest.ws.WsConnection;
import dev.switchboard.loadtest.ws.WsFrames;
import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * MQTT 3.1.1 over WebSocket (Mosquitto): binary CONNECT (clean session, keepalive 0 so no PINGREQ is due) →
 * CONNACK → SUBSCRIBE QoS 0 → SUBACK; publish is a QoS 0 PUBLISH whose payload is the marker JSON.
 */
public final class MqttProtocol implements PeerProtocol {
    @Override
    public String path(WsConnection c) {
        return "/";
    }

    @Override
    public String subprotocol() {
        return "mqtt";
    }

    @Override
    public void onOpen(WsConnection c) {
        byte[] clientId = ("b" + c.id + (c.publisher ? "p" : "")).getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 0});
        str(body, clientId);
        c.send(WsFrames.OP_BINARY, packet(0x10, body.toByteArray(), new byte[0]), true);
    }

    @Override
    public void onFrame(WsConnection c, ByteBuf payload) {
        if (!payload.isReadable()) {
            return;
        }
        int type = payload.getUnsignedByte(payload.readerIndex()) >> 4;
        switch (c.state) {
            case 0 -> {
                if (type == 2) {
                    if (payload.readableBytes() >= 4 && payload.getByte(payload.readerIndex() + 3) != 0) {
                        c.fail("CONNACK refused");
                    } else if (c.channel != null && !c.publisher) {
                        ByteArrayOutputStream body = new ByteArrayOutputStream();
                        body.writeBytes(new byte[] {0, 1});
                        str(body, c.channel.getBytes(StandardCharsets.US_ASCII));
                        body.write(0);
                        c.send(WsFrames.OP_BINARY, packet(0x82, body.toByteArray(), new byte[0]), true);
                        c.state = 1;
                    } else {
                        c.state = 2;
                        c.markReady();
                    }
                }
            }
            case 1 -> {
                if (type == 9) {
                    c.state = 2;
                    c.markReady();
                }
            }
            default -> {
            }
        }
    }

    private static void str(ByteArrayOutputStream out, byte[] s) {
        out.write(s.length >> 8);
        out.write(s.length & 0xff);
        out.writeBytes(s);
    }

    /** Fixed header + variable-length remaining length + {@code body} (+ {@code tail} counted in the length). */
    private static byte[] packet(int first, byte[] body, byte[] tail) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(first);
        int len = body.length + tail.length;
        do {
            int digit = len % 128;
            len /= 128;
            out.write(len > 0 ? digit | 0x80 : digit);
        } while (len > 0);
        out.writeBytes(body);
        return out.toByteArray();
    }

    @Override
    public Marker.Template publishTemplate(String channel) {
        ByteArrayOutputStream topic = new ByteArrayOutputStream();
        str(topic, channel.getBytes(StandardCharsets.US_ASCII));
        byte[] prefix = packet(0x30, topic.toByteArray(), new byte[Marker.dataLength()]);
        return new Marker.Template(prefix, new byte[0], WsFrames.OP_BINARY);
    }
}
