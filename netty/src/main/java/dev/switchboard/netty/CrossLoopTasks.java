package dev.switchboard.netty;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.internal.ThreadExecutorMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tasks an event loop hands to other event loops, gathered per target loop while it runs its current task and
 * handed over together right after it. A broadcast enqueues a drain for every recipient; with one event loop per
 * core most recipients live on other loops, and handing each drain over alone cost a write to the target's
 * task queue and a read of its state on a cache line that loop keeps writing: a quarter of the server's samples
 * in a two-core fan-out profile (docs/performance.md, "Fan-in, rooms and cross-loop hand-overs"). Gathered, a
 * publish to 1,000 subscribers on two loops costs one hand-over, and so do all the publishes of one socket read.
 *
 * <p>Order holds where the domain relies on it: the tasks one loop hands to another run there in the order they
 * were submitted, and a task for the submitting loop itself, or from a thread that is no event loop, is
 * executed at once as before. A task that throws is logged and the rest of its batch still runs.
 */
final class CrossLoopTasks {
    private static final Logger log = LoggerFactory.getLogger(CrossLoopTasks.class);
    private static final FastThreadLocal<CrossLoopTasks> PENDING = new FastThreadLocal<>();

    private final EventExecutor home;
    /** The loops tasks were gathered for and their tasks, by index; a loop's slot stays once it was used. */
    private EventExecutor[] targets = new EventExecutor[4];
    @SuppressWarnings("unchecked")
    private List<Runnable>[] tasks = new List[4];
    private int slots;
    /** The slot of the last target: a broadcast hands most of its tasks to the same few loops in turn. */
    private int last;
    private final Runnable handOver = this::handOver;
    private boolean handOverScheduled;

    private CrossLoopTasks(EventExecutor home) {
        this.home = home;
    }

    /** Runs {@code task} on {@code target}: at once from its own loop or a foreign thread, gathered from another loop. */
    static void execute(EventExecutor target, Runnable task) {
        EventExecutor current = ThreadExecutorMap.currentExecutor();
        if (current == null || current == target) {
            target.execute(task);
            return;
        }
        CrossLoopTasks pending = PENDING.get();
        if (pending == null || pending.home != current) {
            pending = new CrossLoopTasks(current);
            PENDING.set(pending);
        }
        pending.add(target, task);
    }

    private void add(EventExecutor target, Runnable task) {
        tasks[slot(target)].add(task);
        if (!handOverScheduled) {
            handOverScheduled = true;
            try {
                home.execute(handOver);
            } catch (RejectedExecutionException e) {
                handOver(); // this loop is stopping: hand over now
            }
        }
    }

    /** The slot of {@code target}, found by a scan (there are at most as many as event loops) or added. */
    private int slot(EventExecutor target) {
        if (targets[last] == target) {
            return last;
        }
        for (int i = 0; i < slots; i++) {
            if (targets[i] == target) {
                return last = i;
            }
        }
        if (slots == targets.length) {
            targets = Arrays.copyOf(targets, slots * 2);
            tasks = Arrays.copyOf(tasks, slots * 2);
        }
        targets[slots] = target;
        tasks[slots] = new ArrayList<>();
        return last = slots++;
    }

    /** Hands each target loop its gathered tasks as one task. */
    private void handOver() {
        handOverScheduled = false;
        for (int i = 0; i < slots; i++) {
            List<Runnable> batch = tasks[i];
            if (batch.isEmpty()) {
                continue;
            }
            tasks[i] = new ArrayList<>(batch.size()); // the batch now belongs to the target loop
            try {
                targets[i].execute(() -> runAll(batch));
            } catch (RejectedExecutionException e) {
                // the target loop is shutting down with its channels: nothing left to do there
            }
        }
    }

    private static void runAll(List<Runnable> batch) {
        for (Runnable task : batch) {
            try {
                task.run();
            } catch (Throwable e) {
                log.atWarn().setMessage("task_failed").setCause(e).log();
            }
        }
    }
}
