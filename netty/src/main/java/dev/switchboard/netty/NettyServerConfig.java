package dev.switchboard.netty;

import java.time.Duration;

/**
 * Listener settings of the transport.
 *
 * @param host address to bind
 * @param port port to bind; 0 picks a free one
 * @param ioThreads event-loop threads; 0 = one per available processor
 * @param transport {@code auto} (io_uring, then epoll, then NIO), {@code io_uring}, {@code epoll} or {@code nio}
 * @param connectAttempts per-source-IP upgrade attempts allowed per {@code connectWindow}; 0 disables
 * @param connectWindow window of the per-IP attempt limit
 * @param exemptLoopback whether loopback sources skip the per-IP limit
 * @param httpIdleTimeout how long a connection may stay silent while still speaking HTTP (before any upgrade)
 */
public record NettyServerConfig(String host, int port, int ioThreads, String transport, int connectAttempts,
                                Duration connectWindow, boolean exemptLoopback, Duration httpIdleTimeout) {
    public static final Duration DEFAULT_HTTP_IDLE_TIMEOUT = Duration.ofSeconds(30);


    public static NettyServerConfig loopback(int port) {
        return new NettyServerConfig("127.0.0.1", port, 0, "auto", 60, Duration.ofSeconds(60), true,
                DEFAULT_HTTP_IDLE_TIMEOUT);
    }
}
