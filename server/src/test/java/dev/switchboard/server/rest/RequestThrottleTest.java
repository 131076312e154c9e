package dev.switchboard.server.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Token buckets of the REST limits (rest-api.md §1.5). */
class RequestThrottleTest {
    private final AtomicLong now = new AtomicLong();

    @Test
    void allowsTheBurstThenRefillsAtTheRate() {
        RequestThrottle throttle = new RequestThrottle(10, 3, now::get);
        assertThat(throttle.tryAcquire("a")).isTrue();
        assertThat(throttle.tryAcquire("a")).isTrue();
        assertThat(throttle.tryAcquire("a")).isTrue();
        assertThat(throttle.tryAcquire("a")).isFalse();
        assertThat(throttle.tryAcquire("b")).as("buckets are per source").isTrue();
        now.addAndGet(100_000_000); // 100 ms at 10/s = one token
        assertThat(throttle.tryAcquire("a")).isTrue();
        assertThat(throttle.tryAcquire("a")).isFalse();
    }

    @Test
    void rateZeroDisablesTheLimit() {
        RequestThrottle throttle = new RequestThrottle(0, 1, now::get);
        for (int i = 0; i < 1000; i++) {
            assertThat(throttle.tryAcquire("a")).isTrue();
        }
    }
}
