package dev.switchboard.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A blocked event loop shows a lag that grows while it is blocked, and a small one again once it runs. */
class LoopMonitorTest {

    @Test
    void aBlockedLoopShowsItsLagAndRecovers() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        try {
            LoopMonitor monitor = new LoopMonitor(group);
            assertThat(monitor.stats()).hasSize(2);
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch blocked = new CountDownLatch(1);
            group.next().execute(() -> {
                blocked.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            blocked.await();
            long limit = TimeUnit.MILLISECONDS.toNanos(LoopMonitor.PERIOD_MILLIS * 2);
            await().atMost(Duration.ofSeconds(5)).until(
                    () -> monitor.stats().stream().anyMatch(loop -> loop.lagNanos() > limit));
            // the other loop is not blocked and keeps a small lag
            assertThat(monitor.stats().stream().filter(loop -> loop.lagNanos() < limit)).hasSize(1);
            release.countDown();
            await().atMost(Duration.ofSeconds(5)).until(
                    () -> monitor.stats().stream().allMatch(loop -> loop.lagNanos() < limit));
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
