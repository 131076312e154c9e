package dev.switchboard.core;

import dev.switchboard.core.spi.Transport;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One connection's outbound queue: many producers (publishers on any thread), one consumer (the connection's
 * I/O thread). Frames are the immutable encoded bytes shared by every recipient of a fan-out.
 *
 * <p>Bounded in bytes: frames waiting here plus bytes the transport has not yet written may not exceed
 * {@code maxBytes}; the producer that would cross the bound gets {@code false} and the session closes the
 * connection with 1008 instead of letting one slow reader hold memory or block others (protocol.md §8.7).
 *
 * <p>Draining is batched: the first frame after an idle period schedules one drain task on the I/O thread;
 * the drain writes everything queued and flushes once. No lock is held while writing. The queue is a
 * {@link FrameQueue}: one atomic exchange per frame for a producer, no atomic instruction for the I/O thread.
 *
 * <p>Backpressure: while the transport is not writable (the reader is behind) the drain stops and parks; frames
 * stay here — the immutable arrays every recipient shares, still counted against the bound — and {@link #resume}
 * restarts the drain when the transport takes bytes again. A close is always sent, writable or not.
 *
 * <p>Pong barrier: a presence snapshot goes out only after the client has answered a WebSocket ping written
 * behind everything queued before it (see {@link #offerSnapshot}). Until the pong arrives the outbox waits as
 * it does while parked, and everything queued after the snapshot waits behind it, so the order is kept.
 *
 * <p>Backlog: frames queued while a drain is scheduled wait for the I/O thread's CPU, not for the reader. Their
 * bytes ({@link #backlogBytes}) tell a publisher to stop reading until the recipient catches up (see
 * {@code Session}); a parked outbox has no backlog in this sense, so a slow reader never holds a publisher back.
 */
final class Outbox {
    private static final int IDLE = 0;
    private static final int SCHEDULED = 1;
    /** Waiting for the transport to become writable; offers queue without scheduling, {@link #resume} drains. */
    private static final int PARKED = 2;
    /** Waiting for the pong of a barrier ping; offers queue without scheduling, {@link #onPong} drains. */
    private static final int AWAITING_PONG = 3;
    /** Frames written between flushes; bounds the time one busy connection holds its event loop. */
    static final int MAX_FRAMES_PER_DRAIN = 256;
    /** The drain stops counting the bytes it has handed to the transport at least this often (see release). */
    static final long RELEASE_BYTES = 16 * 1024;
    /** A publisher whose broadcast finds a recipient with more backlog than this stops reading. */
    static final long BACKLOG_HIGH_BYTES = 64 * 1024;
    /** ... and reads again once that recipient's backlog is down to this. */
    static final long BACKLOG_LOW_BYTES = 16 * 1024;
    /** What one queued frame costs beyond its bytes, for the node's budget: the queue node and its reference. */
    static final long NODE_OVERHEAD = 32;
    /**
     * {@code queuedBytes} holds the queued frame count above bit 40 and the bytes below it, so the one atomic add
     * per frame that bounds the bytes also counts the frames (no connection queues a terabyte).
     */
    private static final long FRAME_UNIT = 1L << 40;
    private static final long BYTES_MASK = FRAME_UNIT - 1;
    private static final VarHandle STATE;
    private static final VarHandle QUEUED_BYTES;

    static {
        try {
            var lookup = MethodHandles.lookup();
            STATE = lookup.findVarHandle(Outbox.class, "state", int.class);
            QUEUED_BYTES = lookup.findVarHandle(Outbox.class, "queuedBytes", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final FrameQueue queue = new FrameQueue();
    private final Transport transport;
    private final long maxBytes;
    private final OutboundBudget budget;
    /** Closes the connection when the node's budget cuts this outbox (1008, queue dropped). */
    private final Runnable onCut;
    private final Runnable drainTask = this::drain;
    /** The rest of a {@link Frames} item being written (I/O thread only); null when none is. */
    private Object[] partial;
    private int partialNext;
    /** The sequence number of the barrier ping whose pong the outbox waits for (I/O thread only). */
    private long awaitedPong;
    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state;
    @SuppressWarnings("unused") // accessed through QUEUED_BYTES
    private volatile long queuedBytes;
    /** Set once a close is queued; later frames are dropped. */
    private volatile boolean sealed;
    /** Set by a close that discards: the drain drops the frames it finds before the close. */
    private volatile boolean discard;
    /** Where the connection stands in the streams it follows; null until it follows one (I/O thread only). */
    private Positions positions;

    Outbox(Transport transport, long maxBytes) {
        this(transport, maxBytes, OutboundBudget.unlimited(), () -> {
        });
    }

    Outbox(Transport transport, long maxBytes, OutboundBudget budget, Runnable onCut) {
        this.transport = transport;
        this.maxBytes = maxBytes;
        this.budget = budget;
        this.onCut = onCut;
    }

    /**
     * Queues one frame. Returns true if queued (or dropped because the connection is already closing), false if
     * the connection is over its byte bound: the frame is not queued and the caller must close the connection.
     */
    boolean offer(byte[] frame) {
        if (sealed) {
            return true;
        }
        return enqueue(frame, frame.length);
    }

    /**
     * Queues a message of a channel with history: written like a frame, and recorded in the connection's
     * {@link Positions} when written (see {@link #follow}).
     */
    boolean offer(StreamMessage message) {
        if (sealed) {
            return true;
        }
        return enqueue(message, message.frame().length);
    }

    /** Records written stream messages in {@code positions} and confirms them by pings (I/O thread). */
    void follow(Positions positions) {
        this.positions = positions;
    }

    /**
     * Queues several frames that go out one after another, interleaved with nothing: the frames of a presence
     * snapshot (protocol.md §7.4). Frames shared with other connections (a big room's cached snapshot chunks) do
     * not count against the bound, only {@code ownBytes}, the bytes encoded for this connection alone; the drain
     * writes them one at a time and parks between them like between single frames, so a snapshot many times the
     * bound never closes a reader that keeps up. Returns false, queueing nothing, if {@code ownBytes} would cross
     * the bound.
     */
    boolean offerFrames(Object[] frames, long ownBytes) {
        if (sealed) {
            return true;
        }
        return enqueue(new Frames(frames, ownBytes, false), ownBytes);
    }

    /**
     * Like {@link #offerFrames}, for the presence snapshot that follows a subscribe ack: before its first frame
     * the drain writes a WebSocket ping and waits for the pong, so the snapshot reaches the client in a later
     * read than everything queued before it (the ack). A client whose WebSocket library dispatches every frame
     * of one read in one tick (Node's {@code ws}) has then run the continuation of its subscribe before it sees
     * the snapshot (docs/decisions.md D9). Costs the snapshot one round trip; a transport that cannot ping
     * ({@link Transport#sendPing} &lt; 0) sends it at once.
     */
    boolean offerSnapshot(Object[] frames, long ownBytes) {
        if (sealed) {
            return true;
        }
        return enqueue(new Frames(frames, ownBytes, true), ownBytes);
    }

    /**
     * The client answered ping {@code sequence} (I/O thread): if the outbox waits for that ping's pong or an
     * earlier one's (a client may answer only the latest of several pings, RFC 6455 §5.5.3), the drain goes on.
     */
    void onPong(long sequence) {
        if (positions != null && !sealed) {
            positions.ponged(sequence);
        }
        if (sequence >= awaitedPong && (int) STATE.getVolatile(this) == AWAITING_PONG
                && STATE.compareAndSet(this, AWAITING_PONG, SCHEDULED)) {
            transport.execute(drainTask);
        }
    }

    /** Counts {@code bytes} and one frame against the bound and queues {@code item}; false (nothing queued) if over. */
    private boolean enqueue(Object item, long bytes) {
        long add = bytes + FRAME_UNIT;
        long before = (long) QUEUED_BYTES.getAndAdd(this, add);
        if (((before + add) & BYTES_MASK) + transport.pendingBytes() > maxBytes) {
            QUEUED_BYTES.getAndAdd(this, -add);
            return false;
        }
        queue.offer(item);
        report(before, before + add);
        schedule();
        return true;
    }

    /**
     * Queues the close after everything already queued and drops every later frame. With {@code discard}, frames
     * still waiting are dropped too (a slow consumer that will never read them).
     */
    void close(int code, String reason, boolean discard) {
        if (discard) {
            this.discard = true; // before the close is queued, so the drain sees it before it reaches the close
        }
        sealed = true;
        queue.offer(new Close(code, reason));
        if (!schedule()) {
            wake(); // a parked outbox sends its close too, and one waiting for a pong
        }
    }

    /** Drains a parked outbox or one waiting for a pong at once (a close does not wait). */
    private void wake() {
        for (int state; (state = (int) STATE.getVolatile(this)) == PARKED || state == AWAITING_PONG; ) {
            if (STATE.compareAndSet(this, state, SCHEDULED)) {
                transport.execute(drainTask);
                return;
            }
        }
    }

    /** The transport takes bytes again: drains what queued while parked. Safe from any thread. */
    void resume() {
        if ((int) STATE.getVolatile(this) == PARKED && STATE.compareAndSet(this, PARKED, SCHEDULED)) {
            transport.execute(drainTask);
        }
    }

    /**
     * Bytes queued and waiting for a scheduled drain, i.e. for this connection's I/O thread; 0 while idle,
     * parked (the reader is behind, not the server) or sealed. Any thread.
     */
    long backlogBytes() {
        return sealed || (int) STATE.getVolatile(this) != SCHEDULED ? 0
                : (long) QUEUED_BYTES.getVolatile(this) & BYTES_MASK;
    }

    /** Queued bytes plus {@link #NODE_OVERHEAD} per queued frame: what the node's budget counts. Any thread. */
    long weight() {
        return weight((long) QUEUED_BYTES.getVolatile(this));
    }

    private static long weight(long packed) {
        return (packed & BYTES_MASK) + (packed >>> 40) * NODE_OVERHEAD;
    }

    /** Tells the node's budget when this outbox's weight crossed a step (see {@link OutboundBudget}). */
    private void report(long before, long after) {
        long from = weight(before) / OutboundBudget.STEP;
        long to = weight(after) / OutboundBudget.STEP;
        if (from != to) {
            budget.change(this, to - from, to);
        }
    }

    /** The node's budget picked this outbox to cut: closes the connection; false if it is already closing. */
    boolean cut() {
        if (sealed) {
            return false;
        }
        onCut.run();
        return true;
    }

    /** The connection is gone: what is still counted leaves the node's budget. */
    void forget() {
        long before = (long) QUEUED_BYTES.getAndSet(this, 0L);
        report(before, 0);
        budget.forget(this);
    }

    boolean isSealed() {
        return sealed;
    }

    /**
     * Schedules a drain if none is scheduled, parked or waiting for a pong; returns false if the outbox was parked
     * or waiting for a pong.
     */
    private boolean schedule() {
        int state = (int) STATE.getVolatile(this);
        if (state == IDLE && STATE.compareAndSet(this, IDLE, SCHEDULED)) {
            transport.execute(drainTask);
        }
        return state != PARKED && state != AWAITING_PONG;
    }

    /**
     * Runs on the I/O thread: writes up to {@link #MAX_FRAMES_PER_DRAIN} queued frames, flushes once, and either
     * re-arms without losing a wakeup or, if more is queued, yields the event loop to other connections and
     * continues in a fresh task. The bytes of frames the transport has taken stop counting as queued in batches
     * of {@link #RELEASE_BYTES}, before each flush and before parking (see {@link #release}).
     */
    private void drain() {
        for (;;) {
            Object item;
            int budget = MAX_FRAMES_PER_DRAIN;
            long taken = 0;
            while (budget-- > 0) {
                if (!sealed && !transport.isWritable()) {
                    taken = release(taken);
                    if (park()) {
                        return;
                    }
                    continue;
                }
                if (partial != null) {
                    Object frame = partial[partialNext++];
                    if (partialNext == partial.length) {
                        partial = null;
                    }
                    if (!discard) {
                        if (frame instanceof Cut cut) {
                            transport.write(cut.frame(), cut.from(), cut.to());
                        } else {
                            transport.write((byte[]) frame);
                        }
                    }
                    continue;
                }
                if ((item = queue.poll()) == null) {
                    break;
                }
                if (item instanceof Frames frames) {
                    if (frames.frames().length > 0) {
                        partial = frames.frames();
                        partialNext = 0;
                    }
                    taken += frames.ownBytes() + FRAME_UNIT;
                    budget++; // the item itself writes nothing; its frames count one by one
                    long ping;
                    if (frames.afterPong() && partial != null && !sealed && (ping = transport.sendPing()) > 0) {
                        taken = release(taken);
                        if (awaitPong(ping)) {
                            return;
                        }
                    }
                } else if (item instanceof byte[] frame) {
                    if (!discard) {
                        transport.write(frame);
                    }
                    taken += frame.length + FRAME_UNIT;
                    if ((taken & BYTES_MASK) >= RELEASE_BYTES) {
                        taken = release(taken);
                    }
                } else if (item instanceof StreamMessage message) {
                    if (!discard) {
                        transport.write(message.frame());
                        if (positions != null) {
                            positions.written(message.stream(), message.offset());
                        }
                    }
                    taken += message.frame().length + FRAME_UNIT;
                    if ((taken & BYTES_MASK) >= RELEASE_BYTES) {
                        taken = release(taken);
                    }
                } else if (item instanceof Close close) {
                    queue.clear();
                    partial = null;
                    forget(); // the frames dropped with the queue, and those still counted in taken
                    taken = 0;
                    transport.close(close.code(), close.reason());
                    return; // stays SCHEDULED forever: nothing is drained after a close
                }
            }
            release(taken);
            if (positions != null && !sealed) {
                positions.afterDrain();
            }
            transport.flush();
            if (partial != null || !queue.isEmpty()) {
                transport.execute(drainTask);
                return;
            }
            STATE.setVolatile(this, IDLE);
            if (queue.isEmpty() || !STATE.compareAndSet(this, IDLE, SCHEDULED)) {
                return;
            }
        }
    }

    /**
     * Stops counting {@code taken} (bytes, and frames above bit 40), which the transport already has, as queued;
     * returns 0. Done per batch, not per frame, to save an atomic add per frame: in between, those bytes count
     * twice (in the transport's {@code pendingBytes} and here), so the bound and {@link #backlogBytes} read up to
     * {@link #RELEASE_BYTES} plus one frame high, never low.
     */
    private long release(long taken) {
        if (taken != 0) {
            long before = (long) QUEUED_BYTES.getAndAdd(this, -taken);
            report(before, before - taken);
        }
        return 0;
    }

    /**
     * Flushes what was written and parks; returns false if the transport became writable meanwhile (the flush
     * itself can drain the socket) and this drain should go on. PARKED is set before the flush so that a
     * writability event fired inside it finds it and {@link #resume}s, which also makes this drain stop.
     */
    private boolean park() {
        STATE.setVolatile(this, PARKED);
        transport.flush();
        return !transport.isWritable() || !STATE.compareAndSet(this, PARKED, SCHEDULED);
    }

    /**
     * Flushes the barrier ping and waits for its pong; returns false if a close came meanwhile and this drain
     * should go on to it. AWAITING_PONG is set before {@code sealed} is read, so a close either is seen here or
     * finds the state and wakes the outbox itself.
     */
    private boolean awaitPong(long ping) {
        awaitedPong = ping;
        STATE.setVolatile(this, AWAITING_PONG);
        transport.flush();
        return !sealed || !STATE.compareAndSet(this, AWAITING_PONG, SCHEDULED);
    }

    private record Close(int code, String reason) {
    }

    /**
     * A message frame of a channel with history and its offset in the channel's stream; like the frame itself,
     * one instance is shared by every recipient of a fan-out.
     */
    record StreamMessage(byte[] frame, History.Stream stream, long offset) {
    }

    /**
     * Frames written back to back as one item ({@link #offerFrames}), each a {@code byte[]} or a {@link Cut}, after a
     * pong barrier if {@code afterPong}.
     */
    private record Frames(Object[] frames, long ownBytes, boolean afterPong) {
    }

    /**
     * The shared frame {@code frame} without its bytes {@code [from, to)}: what one recipient gets of a frame shared
     * by many when one part must not reach it (its own presence entry). Sent without copying where the transport
     * can (see {@link Transport#write(byte[], int, int)}).
     */
    record Cut(byte[] frame, int from, int to) {
        int length() {
            return frame.length - (to - from);
        }
    }
}
