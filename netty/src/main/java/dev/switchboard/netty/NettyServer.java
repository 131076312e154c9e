package dev.switchboard.netty;

import dev.switchboard.core.Node;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The listening socket: binds, picks the fastest available I/O transport, and stops in two steps. */
public final class NettyServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NettyServer.class);

    private final EventLoopGroup group;
    private final Channel listener;
    private final String transportName;
    private final TlsContext tls;
    private final LoopMonitor loops;

    private NettyServer(EventLoopGroup group, Channel listener, String transportName, TlsContext tls) {
        this.group = group;
        this.listener = listener;
        this.transportName = transportName;
        this.tls = tls;
        this.loops = new LoopMonitor(group);
    }

    /**
     * One event loop now: how late its last lag probe ran (or how overdue the next one is, if later) and the
     * tasks waiting in its queue (-1 if the loop does not say).
     */
    public record LoopStats(long lagNanos, int pendingTasks) {
    }

    /** Every event loop's lag and queue, for metrics and readiness. */
    public List<LoopStats> loops() {
        return loops.stats();
    }

    /** Bytes the buffer allocator holds now (its pools included), direct and heap. */
    public record AllocatorMemory(long direct, long heap) {
    }

    /** What Netty's default buffer allocator holds now; -1 each if the allocator does not say. */
    public static AllocatorMemory allocatorMemory() {
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider provider) {
            ByteBufAllocatorMetric metric = provider.metric();
            return new AllocatorMemory(metric.usedDirectMemory(), metric.usedHeapMemory());
        }
        return new AllocatorMemory(-1, -1);
    }

    /** Whether the listening socket is open (false before it is bound and once a drain has closed it). */
    public boolean listening() {
        return listener.isActive();
    }

    /**
     * Binds and starts serving; throws if the address cannot be bound, or (IllegalArgumentException) if the TLS
     * files do not load. With TLS the files are checked for a renewal every few seconds.
     */
    public static NettyServer start(NettyServerConfig config, Node node, HttpRoutes routes) throws InterruptedException {
        TlsContext tls = config.tls() == null ? null : TlsContext.load(config.tls());
        IoChoice io = IoChoice.select(config.transport());
        int threads = config.ioThreads() > 0 ? config.ioThreads() : Runtime.getRuntime().availableProcessors();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("switchboard-io", true),
                io.factory());
        try {
            ConnectThrottle throttle = new ConnectThrottle(config.connectAttempts(), config.connectWindow().toNanos(),
                    config.exemptLoopback());
            Channel listener = new ServerBootstrap()
                    .group(group)
                    .channel(io.channelClass())
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ServerInitializer(node, routes, throttle, config.httpIdleTimeout().toMillis(),
                            TrustedProxies.of(config.trustedProxies()), config.proxyProtocol(), tls))
                    .bind(config.host(), config.port())
                    .sync()
                    .channel();
            InetSocketAddress bound = (InetSocketAddress) listener.localAddress();
            log.atInfo().setMessage("listening").addKeyValue("address", bound.getHostString() + ":" + bound.getPort())
                    .addKeyValue("transport", io.name()).addKeyValue("io_threads", threads)
                    .addKeyValue("tls", tls == null ? "off" : tls.provider()).log();
            if (tls != null) {
                group.scheduleWithFixedDelay(tls::reloadIfChanged, TlsContext.WATCH_SECONDS, TlsContext.WATCH_SECONDS,
                        TimeUnit.SECONDS);
            }
            return new NettyServer(group, listener, io.name(), tls);
        } catch (InterruptedException | RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** The TLS credentials in use, or null on a plain listener. */
    public TlsContext tls() {
        return tls;
    }

    /** {@code io_uring}, {@code epoll} or {@code nio}. */
    public String transportName() {
        return transportName;
    }

    /** Stops accepting new connections; open ones stay (step one of a graceful drain). */
    public void stopAccepting() {
        listener.close().syncUninterruptibly();
    }

    /** Closes every connection and stops the event loops. */
    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private record IoChoice(String name, IoHandlerFactory factory, Class<? extends ServerChannel> channelClass) {
        /**
         * {@code auto} prefers epoll: measured with the fan-out scenario (1,000 subscribers, one core), Netty
         * 4.2's io_uring transport delivered ~0.29M msg/s against epoll's 1.15M (generator-bound), because it
         * pays a submission and a completion per small write on every socket (docs/performance.md). io_uring
         * stays selectable by name.
         */
        static IoChoice select(String wanted) {
            boolean auto = wanted == null || wanted.equals("auto");
            if ((auto || wanted.equals("epoll")) && Epoll.isAvailable()) {
                return new IoChoice("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class);
            }
            if ((auto || wanted.equals("io_uring")) && IoUring.isAvailable()) {
                return new IoChoice("io_uring", IoUringIoHandler.newFactory(), IoUringServerSocketChannel.class);
            }
            if (auto || wanted.equals("nio")) {
                return new IoChoice("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class);
            }
            throw new IllegalArgumentException("transport " + wanted + " is not available on this machine");
        }
    }
}
