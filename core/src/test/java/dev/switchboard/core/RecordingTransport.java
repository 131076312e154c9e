package dev.switchboard.core;

import dev.switchboard.core.spi.Transport;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Transport} that records every call in order. Tasks passed to {@link #execute} are queued, like a
 * Netty event loop does even when called from its own thread, and run by {@link #runPending()} — or handed to a
 * real executor when one is given (stress tests).
 */
final class RecordingTransport implements Transport {

    sealed interface Event {
    }

    record Write(byte[] frame) implements Event {
        String text() {
            return new String(frame, StandardCharsets.UTF_8);
        }
    }

    /** A shared frame written without {@code [from, to)}, kept as such (a big room's many cuts share one array). */
    record WriteCut(byte[] frame, int from, int to) implements Event {
        String text() {
            return new String(frame, 0, from, StandardCharsets.UTF_8)
                    + new String(frame, to, frame.length - to, StandardCharsets.UTF_8);
        }
    }

    record Flush() implements Event {
    }

    record Close(int code, String reason) implements Event {
    }

    record Ping() implements Event {
    }

    /** A ping written by {@link #sendPing} (only while {@link #pings} is on). */
    record SentPing(long sequence) implements Event {
    }

    record Abort() implements Event {
    }

    record PauseReads() implements Event {
    }

    record ResumeReads() implements Event {
    }

    private final List<Event> events = new ArrayList<>();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Executor executor;
    final AtomicLong pendingBytes = new AtomicLong();
    /** Called at the start of every {@link #pendingBytes()} call (a hook to interleave work with admission). */
    volatile Runnable onPendingBytes;
    private int consumed;
    /** When set, every enqueue (each {@link #pendingBytes()} call by the outbox) appends {@link #name} here. */
    volatile List<String> journal;
    volatile String name = "";

    RecordingTransport() {
        this(null);
    }

    RecordingTransport(Executor executor) {
        this.executor = executor;
    }

    @Override
    public void execute(Runnable task) {
        if (executor != null) {
            executor.execute(task);
        } else {
            tasks.add(task);
        }
    }

    /** Runs the oldest queued I/O-thread task only; returns false if none was queued. */
    boolean runOne() {
        Runnable task = tasks.poll();
        if (task == null) {
            return false;
        }
        task.run();
        return true;
    }

    /** Runs queued I/O-thread tasks (and those they queue) until none is left; returns how many ran. */
    int runPending() {
        int ran = 0;
        Runnable task;
        while ((task = tasks.poll()) != null) {
            task.run();
            ran++;
        }
        return ran;
    }

    /** Called after every {@link #write} is recorded (a hook to interleave producers with a drain). */
    volatile java.util.function.Consumer<byte[]> onWrite;

    @Override
    public void write(byte[] utf8Json) {
        synchronized (this) {
            events.add(new Write(utf8Json));
        }
        var hook = onWrite;
        if (hook != null) {
            hook.accept(utf8Json);
        }
    }

    @Override
    public void write(byte[] utf8Json, int cutFrom, int cutTo) {
        synchronized (this) {
            events.add(new WriteCut(utf8Json, cutFrom, cutTo));
        }
    }

    /** What {@link #isWritable} answers; tests flip it to simulate a reader falling behind. */
    volatile boolean writable = true;
    /** Called after every {@link #flush} is recorded (a hook to change writability inside a flush, as Netty can). */
    volatile Runnable onFlush;

    @Override
    public void flush() {
        synchronized (this) {
            events.add(new Flush());
        }
        Runnable hook = onFlush;
        if (hook != null) {
            hook.run();
        }
    }

    @Override
    public boolean isWritable() {
        return writable;
    }

    @Override
    public synchronized void close(int code, String reason) {
        events.add(new Close(code, reason));
    }

    @Override
    public synchronized void ping() {
        events.add(new Ping());
    }

    /** Whether {@link #sendPing} writes pings; off, it answers -1 like a transport without control frames. */
    volatile boolean pings;
    private long pingSequence;

    @Override
    public synchronized long sendPing() {
        if (!pings) {
            return -1;
        }
        events.add(new SentPing(++pingSequence));
        return pingSequence;
    }

    @Override
    public boolean canPing() {
        return pings;
    }

    @Override
    public synchronized void abort() {
        events.add(new Abort());
    }

    @Override
    public synchronized void pauseReads() {
        events.add(new PauseReads());
    }

    @Override
    public synchronized void resumeReads() {
        events.add(new ResumeReads());
    }

    @Override
    public long pendingBytes() {
        Runnable hook = onPendingBytes;
        if (hook != null) {
            onPendingBytes = null;
            hook.run();
        }
        List<String> j = journal;
        if (j != null) {
            j.add(name);
        }
        return pendingBytes.get();
    }

    @Override
    public String remoteAddress() {
        return "127.0.0.1:1";
    }

    synchronized List<Event> events() {
        return List.copyOf(events);
    }

    /** Every frame written so far, as text. */
    synchronized List<String> written() {
        List<String> out = new ArrayList<>();
        for (Event e : events) {
            if (e instanceof Write w) {
                out.add(w.text());
            } else if (e instanceof WriteCut cut) {
                out.add(cut.text());
            }
        }
        return out;
    }

    /** Frames written since the previous call of {@code take()}. */
    synchronized List<String> take() {
        List<String> all = written();
        List<String> fresh = List.copyOf(all.subList(consumed, all.size()));
        consumed = all.size();
        return fresh;
    }

    /** The written frames themselves (for identity checks), in order. */
    synchronized List<byte[]> writtenBytes() {
        List<byte[]> out = new ArrayList<>();
        for (Event e : events) {
            if (e instanceof Write w) {
                out.add(w.frame());
            }
        }
        return out;
    }

    /** The close code sent, or null. */
    synchronized Integer closeCode() {
        for (Event e : events) {
            if (e instanceof Close c) {
                return c.code();
            }
        }
        return null;
    }

    synchronized long count(Class<? extends Event> type) {
        return events.stream().filter(type::isInstance).count();
    }
}
