package dev.switchboard.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameDecoder;
import java.util.ArrayList;
import java.util.List;

/** Reads what the server wrote the way an RFC 6455 client does. */
final class ClientView {
    private ClientView() {
    }

    /** The texts of the complete, unmasked text frames written back to back as raw bytes; releases {@code wire}. */
    static List<String> texts(Object wire) {
        assertThat(wire).as("server text frames are written pre-framed").isInstanceOf(ByteBuf.class);
        EmbeddedChannel client = new EmbeddedChannel(new WebSocket08FrameDecoder(false, false, 1 << 20));
        try {
            client.writeInbound(wire);
            List<String> texts = new ArrayList<>();
            for (TextWebSocketFrame text; (text = client.readInbound()) != null; ) {
                assertThat(text.isFinalFragment()).isTrue();
                texts.add(text.text());
                text.release();
            }
            return texts;
        } finally {
            client.finishAndReleaseAll();
        }
    }

    /** The text of one complete, unmasked text frame written as raw bytes; releases {@code wire}. */
    static String text(Object wire) {
        assertThat(wire).as("server text frames are written pre-framed").isInstanceOf(ByteBuf.class);
        EmbeddedChannel client = new EmbeddedChannel(new WebSocket08FrameDecoder(false, false, 1 << 20));
        try {
            client.writeInbound(wire);
            TextWebSocketFrame text = client.readInbound();
            assertThat(text).as("one complete text frame").isNotNull();
            assertThat(text.isFinalFragment()).isTrue();
            String result = text.text();
            text.release();
            assertThat((Object) client.readInbound()).as("exactly one frame").isNull();
            return result;
        } finally {
            client.finishAndReleaseAll();
        }
    }
}
