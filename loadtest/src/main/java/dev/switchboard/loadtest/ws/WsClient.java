package dev.switchboard.loadtest.ws;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * The generator's connection factory: one Netty event loop per generator core (epoll when available), many
 * connections per loop, outgoing connections spread over several loopback source addresses (127.0.0.2 …)
 * so that more than one ephemeral-port range is available.
 */
public final class WsClient implements AutoCloseable {
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final List<String> sourceAddresses;
    private final boolean epoll;

    public WsClient(int threads, List<String> sourceAddresses) {
        epoll = Epoll.isAvailable();
        group = new MultiThreadIoEventLoopGroup(threads,
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        bootstrap = new Bootstrap().group(group)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 << 10, 1 << 20));
        if (epoll) {
            // bind(addr, 0) then connect: let connect pick the port (per 4-tuple, cheaper than bind's search)
            bootstrap.option(EpollChannelOption.IP_BIND_ADDRESS_NO_PORT, true);
        }
        this.sourceAddresses = List.copyOf(sourceAddresses);
    }

    private SslContext tls;

    /**
     * The client side of TLS runs, made on first use: BoringSSL where it loads (as the server uses), trusting any
     * certificate, since the generator measures the server's cost, not a verification of its own.
     */
    private synchronized SslContext tls() {
        if (tls == null) {
            try {
                tls = SslContextBuilder.forClient()
                        .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
                        .trustManager(InsecureTrustManagerFactory.INSTANCE)
                        .build();
            } catch (javax.net.ssl.SSLException e) {
                throw new IllegalStateException("cannot make the generator's TLS context", e);
            }
        }
        return tls;
    }

    public boolean epoll() {
        return epoll;
    }

    public EventLoopGroup group() {
        return group;
    }

    /**
     * Starts connecting {@code conn} to 127.0.0.1:{@code port} from source address number {@code source}; over TLS
     * when its protocol says so (the upgrade request then waits in the TLS handler for the handshake).
     */
    public ChannelFuture connect(int port, int source, WsConnection conn) {
        conn.startedNanos = System.nanoTime();
        Bootstrap b = bootstrap.clone().handler(!conn.protocol().tls() ? conn : new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel channel) {
                channel.pipeline().addLast(tls().newHandler(channel.alloc(), "127.0.0.1", port)).addLast(conn);
            }
        });
        InetSocketAddress remote = new InetSocketAddress("127.0.0.1", port);
        if (sourceAddresses.isEmpty()) {
            return b.connect(remote);
        }
        String local = sourceAddresses.get(Math.floorMod(source, sourceAddresses.size()));
        return b.connect(remote, new InetSocketAddress(local, 0));
    }

    /**
     * Opens {@code count} connections made by {@code factory} with at most {@code window} handshakes in flight.
     * The event loops keep the window full themselves: each connection that becomes ready (or fails) starts the
     * next one from the loop it completed on, so a storm pays no thread hand-off per connection — the calling
     * thread only waits. Bounded by {@code timeoutMillis} overall; connections not ready by then are closed and
     * counted as failed.
     */
    public Opened openAll(int port, int count, int window, long timeoutMillis,
                          IntFunction<WsConnection> factory) throws InterruptedException {
        long start = System.nanoTime();
        Launcher launcher = new Launcher(port, count, factory);
        int first = Math.min(window, count);
        for (int i = 0; i < first; i++) {
            group.next().execute(launcher::launchNext);
        }
        launcher.done.await(timeoutMillis, TimeUnit.MILLISECONDS);
        launcher.stopped = true; // no new connection after the deadline
        double seconds = (System.nanoTime() - start) / 1e9;
        List<WsConnection> all = launcher.snapshot();
        List<WsConnection> ready = new ArrayList<>(all.size());
        int failed = 0;
        String firstError = null;
        for (WsConnection c : all) {
            if (c.isReady()) {
                ready.add(c);
            } else {
                failed++;
                if (firstError == null && c.ready().isCompletedExceptionally()) {
                    firstError = firstFailure(List.of(c));
                }
                if (!c.ready().isDone()) {
                    c.ready().completeExceptionally(new IllegalStateException("timed out"));
                }
                c.close();
            }
        }
        return new Opened(ready, failed + (count - all.size()), firstError == null ? "timed out" : firstError,
                seconds);
    }

    /** Starts connection after connection, each from the event loop on which the previous one finished. */
    private final class Launcher {
        private final int port;
        private final int count;
        private final IntFunction<WsConnection> factory;
        private final WsConnection[] started;
        private final AtomicInteger next = new AtomicInteger();
        private final CountDownLatch done;
        private volatile boolean stopped;

        Launcher(int port, int count, IntFunction<WsConnection> factory) {
            this.port = port;
            this.count = count;
            this.factory = factory;
            this.started = new WsConnection[count];
            this.done = new CountDownLatch(count);
        }

        void launchNext() {
            int i = next.getAndIncrement();
            if (i >= count || stopped) {
                return;
            }
            WsConnection conn = factory.apply(i);
            synchronized (started) {
                started[i] = conn;
            }
            conn.ready().whenComplete((c, e) -> {
                done.countDown();
                group.next().execute(this::launchNext); // a task, not a call: failures cannot recurse
            });
            connect(port, i, conn).addListener(cf -> {
                if (!cf.isSuccess()) {
                    conn.ready().completeExceptionally(cf.cause());
                }
            });
        }

        List<WsConnection> snapshot() {
            List<WsConnection> list = new ArrayList<>(count);
            synchronized (started) {
                for (WsConnection c : started) {
                    if (c != null) {
                        list.add(c);
                    }
                }
            }
            return list;
        }
    }

    /** Result of {@link #openAll}: the ready connections, how many failed and why (first reason). */
    public record Opened(List<WsConnection> ready, int failed, String firstError, double seconds) {
        /** Connections made ready per second. */
        public double rate() {
            return ready.size() / seconds;
        }
    }

    /** Closes every connection in {@code conns} and waits briefly for the closes to go out. */
    public static void closeAll(List<WsConnection> conns) {
        List<ChannelFuture> futures = new ArrayList<>(conns.size());
        for (WsConnection c : conns) {
            Channel ch = c.channel();
            if (ch != null) {
                futures.add(ch.close());
            }
        }
        for (ChannelFuture f : futures) {
            f.awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    /** Returns the first failure reason among {@code conns}' ready futures, for error messages. */
    public static String firstFailure(List<WsConnection> conns) {
        for (WsConnection c : conns) {
            CompletableFuture<WsConnection> f = c.ready();
            if (f.isCompletedExceptionally()) {
                try {
                    f.join();
                } catch (RuntimeException e) {
                    return String.valueOf(e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
                }
            }
        }
        return "none";
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
