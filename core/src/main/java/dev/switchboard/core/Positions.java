package dev.switchboard.core;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where one connection stands in the streams of the channels it subscribed to with history (docs/history.md,
 * "Gapless resume"): per stream the offset of the last message handed to the transport ({@code written}) and of
 * the last one the client is known to have ({@code confirmed}).
 *
 * <p>A message is confirmed when the client answered a WebSocket ping written after it: after a drain that wrote
 * stream messages, the outbox writes a ping if none is out, and its pong confirms what was written before it. So
 * at any moment at most one round trip of messages is written but unconfirmed; when the connection drops, those
 * are the only ones a resume may deliver twice (they may have arrived). A transport that cannot ping confirms at
 * once.
 *
 * <p>Changed on the connection's I/O thread only; the map is concurrent and {@link Mark}'s offsets are volatile
 * so that another connection of the same peer can read where this one stands (a resume while this one's drop is
 * not noticed yet).
 */
final class Positions {
    private final Map<History.Stream, Mark> marks = new ConcurrentHashMap<>(4);
    /** The ping whose pong confirms {@link Mark#pending}; 0 when none is out. */
    private long awaitedPing;
    /** Set when stream messages were written since the last confirming ping went out. */
    private boolean unconfirmed;

    /** Where a connection stands in one stream. */
    static final class Mark {
        volatile long written;
        volatile long confirmed;
        long pending;
        /** Set when another connection of the peer resumed from this one's position (it was taken for dead). */
        volatile boolean takenOver;

        Mark(long offset) {
            written = offset;
            confirmed = offset;
            pending = offset;
        }

        /** Whether messages were written to this connection that it has not confirmed. */
        boolean lagging() {
            return written > confirmed;
        }
    }

    /**
     * Starts following {@code stream} from {@code offset}, the last message the client has (or needs not have);
     * a stream already followed keeps its mark. I/O thread.
     */
    Mark follow(History.Stream stream, long offset) {
        return marks.computeIfAbsent(stream, s -> new Mark(offset));
    }

    /** Stops following {@code stream} (an unsubscribe). I/O thread. */
    void unfollow(History.Stream stream) {
        marks.remove(stream);
    }

    /** The mark of {@code stream}, or null. */
    Mark mark(History.Stream stream) {
        return marks.get(stream);
    }

    /** The marks of every followed stream (for the drop). I/O thread. */
    Map<History.Stream, Mark> marks() {
        return marks;
    }

    /** The outbox wrote message {@code offset} of {@code stream}. I/O thread. */
    void written(History.Stream stream, long offset) {
        Mark mark = marks.get(stream);
        if (mark != null && offset > mark.written) {
            mark.written = offset;
            unconfirmed = true;
        }
    }

    /**
     * After a drain: whether a confirming ping should be written now (messages were written and no ping is out).
     */
    boolean wantsPing() {
        return unconfirmed && awaitedPing == 0;
    }

    /** The confirming ping {@code sequence} was written (≤ 0: the transport cannot ping; confirms at once). */
    void pinged(long sequence) {
        unconfirmed = false;
        for (Mark mark : marks.values()) {
            mark.pending = mark.written;
            if (sequence <= 0) {
                mark.confirmed = mark.written;
            }
        }
        awaitedPing = Math.max(0, sequence);
    }

    /** The client answered ping {@code sequence}; returns whether a new confirming ping is wanted. I/O thread. */
    boolean ponged(long sequence) {
        if (awaitedPing == 0 || sequence < awaitedPing) {
            return false;
        }
        for (Mark mark : marks.values()) {
            mark.confirmed = Math.max(mark.confirmed, mark.pending);
        }
        awaitedPing = 0;
        return unconfirmed;
    }
}
