package dev.switchboard.core;

import dev.switchboard.core.spi.Clock;
import dev.switchboard.core.spi.Scheduler;
import dev.switchboard.core.spi.Transport;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Where one connection stands in the streams of the channels it subscribed to with history (docs/history.md,
 * "Gapless resume"): per stream the offset of the last message handed to the transport ({@code written}) and of
 * the last one the client is known to have ({@code confirmed}).
 *
 * <p>A message is confirmed when the client answered a WebSocket ping written after it: after a drain that wrote
 * stream messages, a ping is written if none is out and the last went out at least {@link #PING_INTERVAL_NANOS}
 * ago (else one is scheduled for then), and its pong confirms what was written before it. So at any moment at
 * most one interval and one round trip of messages are written but unconfirmed; when the connection drops, those
 * are the only ones a resume may deliver twice (they may have arrived). The interval bounds the pongs a busy
 * connection sends back to 20 a second. A transport that cannot ping at all confirms at once.
 *
 * <p>Changed on the connection's I/O thread only, but for {@link #follow} (a cluster's subscribe may join when its
 * room gets ready, on the engine's thread); the map is concurrent and {@link Mark}'s offsets are volatile so that
 * another connection of the same peer can read where this one stands (a resume while this one's drop is not
 * noticed yet).
 */
final class Positions {
    /** The least time between two confirming pings of a connection. */
    static final long PING_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final Map<History.Stream, Mark> marks = new ConcurrentHashMap<>(4);
    private final Transport transport;
    private final Clock clock;
    private final Scheduler scheduler;
    /** The ping whose pong confirms {@link Mark#pending}; 0 when none is out. */
    private long awaitedPing;
    /** Set when stream messages were written since the last confirming ping went out. */
    private boolean unconfirmed;
    private long lastPingNanos;
    /** Set while a confirming ping is scheduled. */
    private boolean scheduled;
    /** The stream of the last message written and its mark (null if not followed): a fan-out's common case. */
    private History.Stream lastStream;
    private Mark lastMark;

    Positions(Transport transport, Clock clock, Scheduler scheduler) {
        this.transport = transport;
        this.clock = clock;
        this.scheduler = scheduler;
        this.lastPingNanos = clock.nanoTime() - PING_INTERVAL_NANOS;
    }

    /** Where a connection stands in one stream. */
    static final class Mark {
        /** The last message written (I/O thread; others read {@link #published}). */
        long written;
        /** {@link #written} as of the end of the last drain, for other connections of the peer. */
        volatile long published;
        volatile long confirmed;
        long pending;
        /**
         * Set when another connection of the peer resumed from this one's position (it was taken for dead); cleared
         * by this connection's next pong, which proves it alive.
         */
        volatile boolean takenOver;

        Mark(long offset) {
            written = offset;
            published = offset;
            confirmed = offset;
            pending = offset;
        }

        /** Whether messages were written to this connection that it has not confirmed (any thread). */
        boolean lagging() {
            return published > confirmed;
        }
    }

    /**
     * Starts following {@code stream} from {@code offset}, the last message the client has (or needs not have);
     * a stream already followed keeps its mark. Any thread: on a cluster a subscribe may join when its room gets
     * ready, on the engine's thread, before any message of the stream is queued for the connection.
     */
    Mark follow(History.Stream stream, long offset) {
        return marks.computeIfAbsent(stream, s -> new Mark(offset));
    }

    /**
     * Stops following the stream of {@code channel} (an unsubscribe), and any earlier stream of it (a cluster's copy
     * replaced when the store started a new epoch). I/O thread.
     */
    void unfollow(String channel) {
        marks.keySet().removeIf(stream -> stream.channel.equals(channel));
        lastStream = null;
        lastMark = null;
    }

    /** The mark of {@code stream}, or null. */
    Mark mark(History.Stream stream) {
        return marks.get(stream);
    }

    /** The marks of every followed stream (for the drop). I/O thread. */
    Map<History.Stream, Mark> marks() {
        return marks;
    }

    /** The outbox wrote message {@code offset} of {@code stream}. I/O thread; once per message and recipient. */
    void written(History.Stream stream, long offset) {
        Mark mark = stream == lastStream ? lastMark : marks.get(stream);
        if (mark == null) {
            return; // not followed (a pattern subscription's message); not cached, as it may be followed soon
        }
        lastStream = stream;
        lastMark = mark;
        if (offset > mark.written) {
            mark.written = offset;
            unconfirmed = true;
        }
    }

    /**
     * After a drain, before its flush (I/O thread): writes a confirming ping if messages were written since the
     * last, none is out and the last went out long enough ago; schedules one for then if it was too recent. A
     * transport that cannot ping confirms what was written at once.
     */
    void afterDrain() {
        if (!unconfirmed) {
            return;
        }
        for (Mark mark : marks.values()) {
            mark.published = mark.written;
        }
        if (awaitedPing != 0 || scheduled) {
            return;
        }
        if (!transport.canPing()) {
            unconfirmed = false;
            for (Mark mark : marks.values()) {
                mark.confirmed = mark.written;
            }
            return;
        }
        long wait = lastPingNanos + PING_INTERVAL_NANOS - clock.nanoTime();
        if (wait <= 0) {
            ping();
            return;
        }
        scheduled = true;
        Runnable later = () -> {
            scheduled = false;
            if (unconfirmed && awaitedPing == 0) {
                ping();
                transport.flush();
            }
        };
        if (!transport.schedule(later, wait)) {
            scheduler.schedule(() -> transport.execute(later), wait, TimeUnit.NANOSECONDS);
        }
    }

    /** Writes a confirming ping (not flushed): its pong confirms everything written so far. */
    private void ping() {
        long sequence = transport.sendPing();
        if (sequence <= 0) {
            return; // closing: nothing is confirmed any more
        }
        lastPingNanos = clock.nanoTime();
        unconfirmed = false;
        for (Mark mark : marks.values()) {
            mark.pending = mark.written;
        }
        awaitedPing = sequence;
    }

    /**
     * The client answered ping {@code sequence} (I/O thread): confirms what the awaited ping followed, and writes
     * (and flushes) or schedules the next if more was written since.
     */
    void ponged(long sequence) {
        if (awaitedPing == 0 || sequence < awaitedPing) {
            return;
        }
        for (Mark mark : marks.values()) {
            mark.confirmed = Math.max(mark.confirmed, mark.pending);
            mark.takenOver = false; // a dead connection answers no ping: this one lives, and will resume itself
        }
        awaitedPing = 0;
        if (unconfirmed && !scheduled) {
            afterDrain();
            if (awaitedPing != 0) {
                transport.flush();
            }
        }
    }
}
