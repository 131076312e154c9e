package dev.switchboard.loadtest.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The load generator's own WebSocket codec (hand-written for speed) checked against Netty's: every frame it
 * encodes is decoded by Netty's server-side decoder to the same opcode and payload, and every frame Netty's
 * server-side encoder writes is read back by the generator intact, however the bytes are split across reads.
 */
class WsCodecOracleTest {
    private static final int[] SIZES = {0, 1, 125, 126, 127, 1000, 65_535, 65_536, 100_000};
    private final Random random = new Random(20261205);

    private byte[] payload(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) ('a' + random.nextInt(26));
        }
        return bytes;
    }

    @Test
    void everyFrameTheGeneratorEncodesDecodesInNettyToTheSameOpcodeAndPayload() {
        for (int size : SIZES) {
            for (int opcode : new int[] {WsFrames.OP_TEXT, WsFrames.OP_BINARY, WsFrames.OP_PING, WsFrames.OP_CLOSE}) {
                if (opcode >= WsFrames.OP_CLOSE && size > 125) {
                    continue; // control frames carry at most 125 bytes (RFC 6455 §5.5)
                }
                byte[] data = payload(size);
                if (opcode == WsFrames.OP_CLOSE && size > 0) { // a Close body starts with a valid code: 1000
                    data = size == 1 ? new byte[0] : data;
                    if (data.length >= 2) {
                        data[0] = 0x03;
                        data[1] = (byte) 0xE8;
                    }
                }
                // a fresh decoder for each frame: after a Close, Netty's decoder discards what follows
                EmbeddedChannel server = new EmbeddedChannel(new WebSocket08FrameDecoder(true, false, 1 << 20));
                server.writeInbound(WsFrames.frame(UnpooledByteBufAllocator.DEFAULT, opcode, data));
                WebSocketFrame frame = server.readInbound();
                assertThat(frame).as("opcode %d, %d bytes", opcode, size).isInstanceOf(switch (opcode) {
                    case WsFrames.OP_TEXT -> TextWebSocketFrame.class;
                    case WsFrames.OP_BINARY -> BinaryWebSocketFrame.class;
                    case WsFrames.OP_PING -> PingWebSocketFrame.class;
                    default -> CloseWebSocketFrame.class;
                });
                assertThat(frame.isFinalFragment()).isTrue();
                assertThat(ByteBufUtil.getBytes(frame.content())).as("payload, %d bytes", size).isEqualTo(data);
                frame.release();
                assertThat(server.finishAndReleaseAll()).as("nothing left over").isFalse();
            }
        }
    }

    @Test
    void everyFrameNettyEncodesIsReadBackIntactHoweverTheBytesAreSplit() {
        List<byte[]> sent = new ArrayList<>();
        EmbeddedChannel encoder = new EmbeddedChannel(new WebSocket08FrameEncoder(false));
        for (int size : SIZES) {
            byte[] data = payload(size);
            sent.add(data);
            encoder.writeOutbound(random.nextBoolean()
                    ? new TextWebSocketFrame(Unpooled.wrappedBuffer(data))
                    : new BinaryWebSocketFrame(Unpooled.wrappedBuffer(data)));
        }
        // a fragmented message: the generator counts each data frame, continuation included
        byte[] first = payload(10);
        byte[] rest = payload(20);
        sent.add(first);
        sent.add(rest);
        encoder.writeOutbound(new TextWebSocketFrame(false, 0, Unpooled.wrappedBuffer(first)));
        encoder.writeOutbound(new ContinuationWebSocketFrame(true, 0, Unpooled.wrappedBuffer(rest)));
        byte[] pingData = payload(17);
        encoder.writeOutbound(new PingWebSocketFrame(Unpooled.wrappedBuffer(pingData)));
        ByteBuf wire = Unpooled.buffer();
        wire.writeBytes("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        for (ByteBuf chunk; (chunk = encoder.readOutbound()) != null; ) {
            wire.writeBytes(chunk);
            chunk.release();
        }
        byte[] bytes = ByteBufUtil.getBytes(wire);
        wire.release();

        for (int split : new int[] {1, 7, 4096, bytes.length}) {
            List<byte[]> received = new ArrayList<>();
            WsConnection connection = new WsConnection(new Recording(received), "localhost", 1, null, false, null,
                    WsConnection.NO_LISTENER);
            EmbeddedChannel client = new EmbeddedChannel(connection);
            for (int at = 0; at < bytes.length; ) {
                int n = split == 1 ? 1 : Math.min(bytes.length - at, 1 + random.nextInt(split));
                client.writeInbound(Unpooled.wrappedBuffer(bytes, at, n));
                at += n;
            }
            assertThat(received).as("reads of up to %d bytes", split).hasSize(sent.size());
            for (int i = 0; i < sent.size(); i++) {
                assertThat(received.get(i)).as("frame %d, reads of up to %d bytes", i, split).isEqualTo(sent.get(i));
            }
            // the upgrade request, then the pong the generator owes the server's ping, with the ping's data
            ByteBuf request = client.readOutbound();
            request.release();
            EmbeddedChannel server = new EmbeddedChannel(new WebSocket08FrameDecoder(true, false, 1 << 20));
            server.writeInbound((ByteBuf) client.readOutbound());
            WebSocketFrame pong = server.readInbound();
            assertThat(pong).isInstanceOf(PongWebSocketFrame.class);
            assertThat(ByteBufUtil.getBytes(pong.content())).isEqualTo(pingData);
            pong.release();
            client.finishAndReleaseAll();
            server.finishAndReleaseAll();
        }
    }

    /** Records the payload of every data frame the connection hands over. */
    private record Recording(List<byte[]> received) implements WsConnection.Protocol {
        @Override
        public String path(WsConnection c) {
            return "/v1";
        }

        @Override
        public void onOpen(WsConnection c) {
        }

        @Override
        public void onFrame(WsConnection c, ByteBuf payload) {
            received.add(ByteBufUtil.getBytes(payload));
        }
    }
}
