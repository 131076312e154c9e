package dev.switchboard.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.Node;
import dev.switchboard.core.NodeSettings;
import dev.switchboard.core.Session;
import dev.switchboard.core.auth.Action;
import dev.switchboard.core.auth.AppConfig;
import dev.switchboard.core.auth.KeyConfig;
import dev.switchboard.core.auth.KeyType;
import dev.switchboard.core.auth.Keyring;
import dev.switchboard.core.spi.Clock;
import dev.switchboard.core.spi.ExecutorScheduler;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The frame handler of an admitted connection, on an {@link EmbeddedChannel} with a real {@link Node}. */
class WsFrameHandlerTest {
    private final ExecutorScheduler scheduler = new ExecutorScheduler();
    private final Node node = new Node(new Keyring(List.of(new AppConfig("app", false, null, List.of(
            new KeyConfig(KeyType.PUBLISHABLE, "pk_live_k", null, List.of("**"), EnumSet.allOf(Action.class),
                    List.of(), true))))), NodeSettings.defaults(), Clock.SYSTEM, scheduler);
    private final EmbeddedChannel channel = new EmbeddedChannel();

    WsFrameHandlerTest() {
        NettyTransport transport = new NettyTransport(channel);
        var opening = node.open(null, "pk_live_k", null, transport);
        Session session = ((Node.Opening.Opened) opening).session();
        channel.pipeline().addLast(new WsFrameHandler(session, transport));
        channel.runPendingTasks();
        assertThat(text(channel.readOutbound())).startsWith("{\"type\":\"welcome\"");
    }

    @AfterEach
    void tearDown() {
        channel.finishAndReleaseAll();
        node.stop();
        scheduler.close();
    }

    private static String text(Object frame) {
        return ClientView.text(frame);
    }

    private void inbound(WebSocketFrame frame) {
        channel.writeInbound(frame);
        channel.runPendingTasks();
    }

    @Test
    void textFramesAreHandedToTheSession() {
        inbound(new TextWebSocketFrame("{\"type\":\"ping\"}"));
        assertThat(text(channel.readOutbound())).isEqualTo("{\"type\":\"pong\"}");
        inbound(new TextWebSocketFrame("{\"type\":\"unsubscribe\",\"channel\":\"c\",\"requestId\":\"r\"}"));
        assertThat(text(channel.readOutbound())).isEqualTo("{\"type\":\"ack\",\"requestId\":\"r\"}");
    }

    @Test
    void binaryFramesAnswerMalformedMessageAndKeepTheConnectionOpen() {
        inbound(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {1, 2})));
        assertThat(text(channel.readOutbound())).contains("\"code\":\"malformed_message\"");
        assertThat(channel.isActive()).isTrue();
    }

    @Test
    void pingControlFramesAreAnsweredWithPongCarryingTheSamePayload() {
        inbound(new PingWebSocketFrame(Unpooled.copiedBuffer("abc", StandardCharsets.US_ASCII)));
        Object out = channel.readOutbound();
        assertThat(out).isInstanceOf(PongWebSocketFrame.class);
        PongWebSocketFrame pong = (PongWebSocketFrame) out;
        assertThat(pong.content().toString(StandardCharsets.US_ASCII)).isEqualTo("abc");
        pong.release();
    }

    @Test
    void aClientCloseIsEchoedWithItsStatusAndTheChannelClosedAndReleased() {
        inbound(new CloseWebSocketFrame(1000, "bye"));
        Object out = channel.readOutbound();
        assertThat(out).isInstanceOf(CloseWebSocketFrame.class);
        CloseWebSocketFrame echo = (CloseWebSocketFrame) out;
        assertThat(echo.statusCode()).isEqualTo(1000);
        echo.release();
        channel.runPendingTasks();
        assertThat(channel.isOpen()).isFalse();
        assertThat(node.connectionCount()).isZero();
    }

    @Test
    void aCloseWithoutStatusIsEchoedWithoutStatus() {
        inbound(new CloseWebSocketFrame());
        CloseWebSocketFrame echo = channel.readOutbound();
        assertThat(echo.statusCode()).isEqualTo(-1);
        echo.release();
    }

    @Test
    void theChannelGoingInactiveReleasesTheSession() {
        assertThat(node.connectionCount()).isEqualTo(1);
        channel.close();
        channel.runPendingTasks();
        assertThat(node.connectionCount()).isZero();
    }

    @Test
    void aPresenceSnapshotWaitsForThePongOfThePingWrittenAfterTheAck() {
        inbound(new TextWebSocketFrame("{\"type\":\"subscribe\",\"channel\":\"room\",\"requestId\":\"s\"}"));
        assertThat(text(channel.readOutbound())).isEqualTo("{\"type\":\"ack\",\"requestId\":\"s\"}");
        PingWebSocketFrame ping = channel.readOutbound();
        assertThat(ping.content().readableBytes()).as("the ping carries its 8-byte sequence number").isEqualTo(8);
        assertThat((Object) channel.readOutbound()).as("no snapshot before the pong").isNull();

        inbound(new PongWebSocketFrame(Unpooled.copiedBuffer("abc", StandardCharsets.US_ASCII)));
        inbound(new PongWebSocketFrame(Unpooled.buffer(8).writeLong(2))); // one past the last ping sent
        assertThat((Object) channel.readOutbound()).as("a pong that echoes no ping we sent releases nothing").isNull();

        inbound(new PongWebSocketFrame(ping.content()));
        assertThat(text(channel.readOutbound())).startsWith("{\"type\":\"presence\",\"channel\":\"room\"");
    }
}
