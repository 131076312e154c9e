package dev.switchboard.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Tasks one loop hands to another arrive in order, all of them, after the submitting task; own-loop tasks at once. */
class CrossLoopTasksTest {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final EventLoop home = group.next();
    private final EventLoop other = group.next();

    @AfterEach
    void stop() throws InterruptedException {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    @Test
    void tasksForAnotherLoopRunThereInOrderAfterTheSubmittingTaskEnds() throws Exception {
        assertThat(home).isNotSameAs(other);
        List<String> ran = new CopyOnWriteArrayList<>();
        List<Thread> threads = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(1000);
        home.execute(() -> {
            for (int i = 0; i < 1000; i++) {
                int n = i;
                CrossLoopTasks.execute(other, () -> {
                    ran.add("task " + n);
                    threads.add(Thread.currentThread());
                    done.countDown();
                });
            }
            CrossLoopTasks.execute(home, () -> ran.add("own loop")); // queued on home at once
            ran.add("submitter done");
        });
        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            expected.add("task " + i);
        }
        assertThat(ran.stream().filter(s -> s.startsWith("task")).toList()).isEqualTo(expected);
        assertThat(ran.indexOf("submitter done")).isLessThan(ran.indexOf("task 0"));
        assertThat(threads).allMatch(t -> other.inEventLoop(t));
    }

    @Test
    void aThrowingTaskDoesNotStopTheRestOfItsBatch() throws Exception {
        CountDownLatch after = new CountDownLatch(1);
        home.execute(() -> {
            CrossLoopTasks.execute(other, () -> {
                throw new IllegalStateException("a task that fails");
            });
            CrossLoopTasks.execute(other, after::countDown);
        });
        assertThat(after.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void fromAThreadThatIsNoEventLoopATaskIsExecutedAtOnce() throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        CrossLoopTasks.execute(other, ran::countDown);
        assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
    }
}
