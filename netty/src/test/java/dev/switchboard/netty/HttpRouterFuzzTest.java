package dev.switchboard.netty;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.switchboard.core.Node;
import dev.switchboard.core.NodeSettings;
import dev.switchboard.core.auth.Action;
import dev.switchboard.core.auth.AppConfig;
import dev.switchboard.core.auth.KeyConfig;
import dev.switchboard.core.auth.KeyType;
import dev.switchboard.core.auth.Keyring;
import dev.switchboard.core.spi.Clock;
import dev.switchboard.core.spi.ExecutorScheduler;
import dev.switchboard.protocol.Limits;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterAll;

/**
 * The upgrade path (HTTP decoding, routing, forwarding headers through trusted proxies, the PROXY protocol, the
 * WebSocket handshake and admission) is fed arbitrary bytes in arbitrary chunks: no exception may escape the
 * pipeline and the connection ends up answered, upgraded or closed. Stored inputs run under plain
 * {@code mvn test}; fuzz with {@code JAZZER_FUZZ=1}.
 */
class HttpRouterFuzzTest {
    private static final ExecutorScheduler SCHEDULER = new ExecutorScheduler();
    private static final Node NODE = new Node(new Keyring(List.of(new AppConfig("app", false, null, List.of(
            new KeyConfig(KeyType.PUBLISHABLE, "pk_live_k", null, List.of("**"), EnumSet.allOf(Action.class),
                    List.of(), true))))), NodeSettings.defaults(), Clock.SYSTEM, SCHEDULER);
    private static final TrustedProxies PROXIES = TrustedProxies.of(List.of("127.0.0.1", "10.0.0.0/8"));
    private static final HttpRoutes NO_ROUTES = new HttpRoutes() {
        @Override
        public HttpReply screen(HttpCall head) {
            return null;
        }

        @Override
        public HttpReply handle(HttpCall call) {
            return null;
        }
    };

    @AfterAll
    static void stop() {
        NODE.stop();
        SCHEDULER.close();
    }

    /** An embedded connection from 127.0.0.1, a trusted proxy. */
    private static EmbeddedChannel connection(boolean proxyProtocol) {
        EmbeddedChannel channel = new EmbeddedChannel() {
            @Override
            protected SocketAddress remoteAddress0() {
                return new InetSocketAddress("127.0.0.1", 40000);
            }
        };
        if (proxyProtocol) {
            channel.pipeline().addLast(new HAProxyMessageDecoder(), new ProxyProtocol());
        }
        HttpDecoderConfig config = new HttpDecoderConfig().setMaxInitialLineLength(Limits.MAX_HTTP_HEADER_BYTES)
                .setMaxHeaderSize(Limits.MAX_HTTP_HEADER_BYTES);
        channel.pipeline().addLast(new HttpServerCodec(config),
                new HttpRouter(NODE, NO_ROUTES, new ConnectThrottle(1_000_000, 60_000_000_000L, false), PROXIES));
        return channel;
    }

    @FuzzTest
    void arbitraryBytesNeverEscapeThePipeline(FuzzedDataProvider data) {
        EmbeddedChannel channel = connection(data.consumeBoolean());
        try {
            int chunks = data.consumeInt(1, 4);
            for (int i = 0; i < chunks && channel.isOpen(); i++) {
                byte[] bytes = i == chunks - 1 ? data.consumeRemainingAsBytes() : data.consumeBytes(data.consumeInt(0, 512));
                channel.writeInbound(Unpooled.wrappedBuffer(bytes));
                channel.runPendingTasks();
            }
            channel.checkException(); // nothing reached the tail of the pipeline
        } finally {
            Object out;
            while ((out = channel.readOutbound()) != null) {
                ReferenceCountUtil.release(out);
            }
            channel.finishAndReleaseAll();
        }
    }
}
