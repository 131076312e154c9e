package dev.switchboard.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The outbox's many-producer, one-consumer queue: FIFO, nothing lost, per-producer order under contention. */
class FrameQueueTest {

    @Test
    void itemsComeOutInTheOrderTheyWentIn() {
        FrameQueue queue = new FrameQueue();
        assertThat(queue.isEmpty()).isTrue();
        assertThat(queue.poll()).isNull();

        queue.offer("a");
        queue.offer("b");
        assertThat(queue.isEmpty()).isFalse();
        assertThat(queue.poll()).isEqualTo("a");
        queue.offer("c");
        assertThat(queue.poll()).isEqualTo("b");
        assertThat(queue.poll()).isEqualTo("c");
        assertThat(queue.poll()).isNull();
        assertThat(queue.isEmpty()).isTrue();
    }

    @Test
    void clearDropsEverythingQueuedAndTheQueueStaysUsable() {
        FrameQueue queue = new FrameQueue();
        for (int i = 0; i < 10; i++) {
            queue.offer(i);
        }
        queue.clear();
        assertThat(queue.isEmpty()).isTrue();
        assertThat(queue.poll()).isNull();
        queue.offer("after");
        assertThat(queue.poll()).isEqualTo("after");
    }

    @Test
    void concurrentProducersLoseNothingAndKeepTheirOwnOrderWhileTheConsumerPolls() throws Exception {
        int producers = 4;
        int perProducer = 200_000;
        FrameQueue queue = new FrameQueue();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int id = p;
            threads.add(Thread.ofPlatform().start(() -> {
                awaitQuietly(start);
                for (int i = 0; i < perProducer; i++) {
                    queue.offer(new long[] {id, i});
                }
            }));
        }
        start.countDown();

        int[] next = new int[producers];
        long taken = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (taken < (long) producers * perProducer && System.nanoTime() < deadline) {
            Object item = queue.poll();
            if (item == null) {
                Thread.onSpinWait(); // empty, or a producer between its exchange and its link
                continue;
            }
            long[] pair = (long[]) item;
            int producer = (int) pair[0];
            assertThat(pair[1]).as("producer %d order", producer).isEqualTo(next[producer]);
            next[producer]++;
            taken++;
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(taken).isEqualTo((long) producers * perProducer);
        assertThat(next).containsOnly(perProducer);
        assertThat(queue.poll()).isNull();
        assertThat(queue.isEmpty()).isTrue();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
