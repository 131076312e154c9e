package dev.switchboard.netty;

import dev.switchboard.core.spi.Scheduler;
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import java.util.concurrent.TimeUnit;

/**
 * {@link Scheduler} on Netty's hashed wheel: O(1) to add and cancel, so a token-expiry timer per connection
 * costs one small slot entry. Ticks every 10 ms, which bounds the lateness of a 4002 close.
 */
public final class WheelScheduler implements Scheduler, AutoCloseable {
    private final HashedWheelTimer timer;

    public WheelScheduler() {
        this.timer = new HashedWheelTimer(r -> {
            Thread thread = new Thread(r, "switchboard-wheel");
            thread.setDaemon(true);
            return thread;
        }, 10, TimeUnit.MILLISECONDS, 512);
    }

    @Override
    public Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
        Timeout timeout = timer.newTimeout(ignored -> task.run(), delay, unit);
        return timeout::cancel;
    }

    @Override
    public void close() {
        timer.stop();
    }
}
