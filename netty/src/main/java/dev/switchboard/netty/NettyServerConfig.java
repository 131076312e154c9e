package dev.switchboard.netty;

import java.time.Duration;
import java.util.List;

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
 * @param trustedProxies addresses and CIDR ranges of reverse proxies whose forwarding headers (or PROXY protocol
 *                       header) name the client ({@link TrustedProxies}); empty = the TCP peer is the client
 * @param proxyProtocol whether every connection starts with a PROXY protocol header (only trusted proxies may
 *                      then connect)
 * @param tls the certificate and key of native TLS ({@code wss://}, {@code https://} on the same port), or null
 *            for plain {@code ws://} and {@code http://}
 */
public record NettyServerConfig(String host, int port, int ioThreads, String transport, int connectAttempts,
                                Duration connectWindow, boolean exemptLoopback, Duration httpIdleTimeout,
                                List<String> trustedProxies, boolean proxyProtocol, TlsFiles tls) {
    public static final Duration DEFAULT_HTTP_IDLE_TIMEOUT = Duration.ofSeconds(30);

    /** @throws IllegalArgumentException if a trusted proxy is not an address or range, or PROXY has none */
    public NettyServerConfig {
        trustedProxies = List.copyOf(trustedProxies);
        TrustedProxies.of(trustedProxies);
        if (proxyProtocol && trustedProxies.isEmpty()) {
            throw new IllegalArgumentException("proxyProtocol needs the proxies' addresses in trustedProxies");
        }
    }

    /** The same listener on another host and port. */
    public NettyServerConfig withAddress(String newHost, int newPort) {
        return new NettyServerConfig(newHost, newPort, ioThreads, transport, connectAttempts, connectWindow,
                exemptLoopback, httpIdleTimeout, trustedProxies, proxyProtocol, tls);
    }

    /** The same listener with native TLS on {@code files}, or plain with null. */
    public NettyServerConfig withTls(TlsFiles files) {
        return new NettyServerConfig(host, port, ioThreads, transport, connectAttempts, connectWindow,
                exemptLoopback, httpIdleTimeout, trustedProxies, proxyProtocol, files);
    }

    public static NettyServerConfig loopback(int port) {
        return new NettyServerConfig("127.0.0.1", port, 0, "auto", 60, Duration.ofSeconds(60), true,
                DEFAULT_HTTP_IDLE_TIMEOUT, List.of(), false, null);
    }
}
