package dev.switchboard.netty;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** protocol.md §1.2: per-source-IP connection attempts per window; loopback exempt (Q24). */
class ConnectThrottleTest {
    private static final long WINDOW = 1_000_000_000L;

    private static InetAddress ip(String a) throws Exception {
        return InetAddress.getByName(a);
    }

    @Test
    void allowsAttemptsUpToTheLimitPerWindowThenRefusesUntilTheWindowEnds() throws Exception {
        ConnectThrottle throttle = new ConnectThrottle(3, WINDOW, true);
        InetAddress a = ip("203.0.113.7");
        assertThat(throttle.tryAcquire(a, 0)).isTrue();
        assertThat(throttle.tryAcquire(a, 10)).isTrue();
        assertThat(throttle.tryAcquire(a, 20)).isTrue();
        assertThat(throttle.tryAcquire(a, 30)).isFalse();
        assertThat(throttle.tryAcquire(ip("203.0.113.8"), 30)).as("per source").isTrue();
        assertThat(throttle.tryAcquire(a, WINDOW - 1)).isFalse();
        assertThat(throttle.tryAcquire(a, WINDOW)).isTrue();
    }

    @Test
    void loopbackIsExemptUnlessConfiguredOtherwise() throws Exception {
        ConnectThrottle exempt = new ConnectThrottle(1, WINDOW, true);
        ConnectThrottle strict = new ConnectThrottle(1, WINDOW, false);
        for (String lo : new String[] {"127.0.0.1", "::1"}) {
            for (int i = 0; i < 5; i++) {
                assertThat(exempt.tryAcquire(ip(lo), i)).isTrue();
            }
            assertThat(strict.tryAcquire(ip(lo), 0)).isTrue();
            assertThat(strict.tryAcquire(ip(lo), 1)).isFalse();
        }
    }

    @Test
    void aNonPositiveLimitDisablesTheThrottle() throws Exception {
        ConnectThrottle off = new ConnectThrottle(0, WINDOW, false);
        for (int i = 0; i < 10; i++) {
            assertThat(off.tryAcquire(ip("198.51.100.1"), i)).isTrue();
        }
    }

    @Test
    void staleWindowsAreSweptOnceTheTableGrows() throws Exception {
        ConnectThrottle throttle = new ConnectThrottle(5, WINDOW, true);
        for (int i = 0; i < 5000; i++) {
            throttle.tryAcquire(InetAddress.getByAddress(new byte[] {10, 0, (byte) (i >> 8), (byte) i}), 0);
        }
        assertThat(windows(throttle)).hasSizeGreaterThan(4096);
        throttle.tryAcquire(ip("192.0.2.1"), WINDOW);
        assertThat(windows(throttle)).hasSize(1);
    }

    @Test
    void theTableIsBoundedEvenWhenEverySourceIsStillInsideItsWindow() throws Exception {
        ConnectThrottle throttle = new ConnectThrottle(5, WINDOW, true);
        for (int i = 0; i <= ConnectThrottle.MAX_TRACKED; i++) {
            throttle.tryAcquire(InetAddress.getByAddress(new byte[] {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i}), 0);
        }
        assertThat(windows(throttle)).hasSizeGreaterThan(ConnectThrottle.MAX_TRACKED);
        throttle.tryAcquire(ip("192.0.2.1"), WINDOW / 8);
        assertThat(windows(throttle)).hasSizeLessThanOrEqualTo(1);
    }

    private static Map<?, ?> windows(ConnectThrottle throttle) throws Exception {
        var field = ConnectThrottle.class.getDeclaredField("windows");
        field.setAccessible(true);
        return (Map<?, ?>) field.get(throttle);
    }
}
