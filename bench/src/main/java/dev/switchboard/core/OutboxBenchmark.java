package dev.switchboard.core;

import dev.switchboard.core.spi.Transport;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The package-private {@link Outbox} (this class lives in core's package, on the classpath only), with frames
 * of 1 KiB and a transport that drops what it is given.
 *
 * <p>{@code offerAndDrain}: {@code batch} offers (the first schedules the drain task, which the transport holds)
 * then the drain on the same thread: the cost per frame of the queue, the byte accounting and the batched
 * flush. The {@code frames} secondary result is frames/s.
 *
 * <p>{@code contended}: two threads offer to one outbox, as when two publishers fan out to one subscriber. The
 * drain runs inline on whichever producer scheduled it, so it polls while the other producer offers (a separate
 * spinning drainer would need a third core; this machine class has two). The bound is effectively unlimited
 * here, so that the figure is the queue's contended throughput rather than the speed of saying no; refusals
 * are still counted in {@code refused}. (Before finding 1 of docs/performance.md the drain gave bytes back
 * only when it found the queue empty, and with the default 8 MiB bound about two thirds of these offers were
 * refused.)
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class OutboxBenchmark {
    static final byte[] FRAME = new byte[1024];

    /**
     * Holds the drain task the outbox hands to {@link #execute} until the benchmark runs it; or runs it at once on
     * the calling thread. A task scheduled from inside a task runs after it returns, as on an event loop: the
     * drain re-schedules itself while more is queued, and run nested that would grow the stack with each pass.
     */
    static final class HeldTransport implements Transport {
        private static final ThreadLocal<InlineTasks> INLINE_TASKS = ThreadLocal.withInitial(InlineTasks::new);
        final AtomicReference<Runnable> pending = new AtomicReference<>();
        final boolean inline;
        long written;

        HeldTransport(boolean inline) {
            this.inline = inline;
        }

        @Override
        public void execute(Runnable task) {
            if (inline) {
                runInline(task);
            } else if (!pending.compareAndSet(null, task)) {
                throw new IllegalStateException("a second drain was scheduled before the first ran");
            }
        }

        private static void runInline(Runnable task) {
            InlineTasks tasks = INLINE_TASKS.get();
            if (tasks.running) {
                tasks.later.add(task); // scheduled by a running task: after it
                return;
            }
            tasks.running = true;
            try {
                for (Runnable next = task; next != null; next = tasks.later.poll()) {
                    next.run();
                }
            } finally {
                tasks.running = false;
            }
        }

        /** One thread's inline tasks: whether one is running, and those it scheduled. Kept, not made per call. */
        private static final class InlineTasks {
            final ArrayDeque<Runnable> later = new ArrayDeque<>();
            boolean running;
        }

        /** Runs the held task, if any; returns whether there was one. */
        boolean runPending() {
            Runnable task = pending.getAndSet(null);
            if (task == null) {
                return false;
            }
            task.run();
            return true;
        }

        @Override
        public void write(byte[] utf8Json) {
            written += utf8Json.length;
        }

        @Override
        public void flush() {
        }

        @Override
        public void close(int code, String reason) {
        }

        @Override
        public void ping() {
        }

        @Override
        public void abort() {
        }

        @Override
        public long pendingBytes() {
            return 0;
        }

        @Override
        public String remoteAddress() {
            return "bench:0";
        }
    }

    @State(Scope.Thread)
    public static class Single {
        @Param({"1", "16", "256"})
        public int batch;

        HeldTransport transport;
        Outbox outbox;

        @Setup
        public void setUp() {
            transport = new HeldTransport(false);
            outbox = new Outbox(transport, NodeSettings.DEFAULT_OUTBOX_MAX_BYTES);
        }
    }

    @State(Scope.Group)
    public static class Shared {
        HeldTransport transport;
        Outbox outbox;

        @Setup(Level.Iteration)
        public void setUp() {
            transport = new HeldTransport(true);
            outbox = new Outbox(transport, Long.MAX_VALUE / 2);
        }
    }

    /** Per-thread counters that JMH reports as rates next to ops/s. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        public long frames;
        public long refused;

        @Setup(Level.Iteration)
        public void reset() {
            frames = 0;
            refused = 0;
        }
    }

    @Benchmark
    public void offerAndDrain(Single s, Counters counters) {
        for (int i = 0; i < s.batch; i++) {
            if (!s.outbox.offer(FRAME)) {
                counters.refused++;
            }
        }
        s.transport.runPending();
        counters.frames += s.batch;
    }

    @Benchmark
    @Group("contended")
    @GroupThreads(2)
    public boolean produce(Shared s, Counters counters) {
        boolean accepted = s.outbox.offer(FRAME);
        if (accepted) {
            counters.frames++;
        } else {
            counters.refused++;
        }
        return accepted;
    }
}
