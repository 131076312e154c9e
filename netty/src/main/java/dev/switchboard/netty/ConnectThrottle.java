package dev.switchboard.netty;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The per-source-IP connection-attempt limit of protocol.md §1.2: at most {@code attempts} upgrade attempts per
 * {@code windowNanos} from one address, answered with HTTP 429 beyond that. Loopback sources are exempt by
 * by default unless trusted proxies are configured (open-questions.md Q24, docs/deploy.md); the source is the
 * client {@link TrustedProxies} names. Fixed windows; stale entries are swept when the table grows, at most a few
 * times per window, and the table never tracks more than {@link #MAX_TRACKED} sources — past that it starts over,
 * trading precision for bounded memory under an attack from very many addresses.
 */
final class ConnectThrottle {
    private static final int SWEEP_THRESHOLD = 4096;
    static final int MAX_TRACKED = 100_000;

    private final int attempts;
    private final long windowNanos;
    private final boolean exemptLoopback;
    private final ConcurrentHashMap<InetAddress, Window> windows = new ConcurrentHashMap<>();
    private volatile long lastSweepNanos;

    ConnectThrottle(int attempts, long windowNanos, boolean exemptLoopback) {
        this.attempts = attempts;
        this.windowNanos = windowNanos;
        this.exemptLoopback = exemptLoopback;
    }

    /** Counts one attempt from {@code client} (an IPv6 client counts on its /64); false if it is over the limit. */
    boolean tryAcquire(InetAddress client, long nowNanos) {
        if (attempts <= 0 || (exemptLoopback && client.isLoopbackAddress())) {
            return true;
        }
        InetAddress source = TrustedProxies.limitKey(client);
        if (windows.size() > SWEEP_THRESHOLD && nowNanos - lastSweepNanos >= windowNanos / 8) {
            lastSweepNanos = nowNanos;
            windows.values().removeIf(window -> nowNanos - window.start >= windowNanos);
            if (windows.size() > MAX_TRACKED) {
                windows.clear();
            }
        }
        Window window = windows.compute(source, (address, current) -> {
            if (current == null || nowNanos - current.start >= windowNanos) {
                return new Window(nowNanos, 1);
            }
            return new Window(current.start, current.count + 1);
        });
        return window.count <= attempts;
    }

    private record Window(long start, int count) {
    }
}
