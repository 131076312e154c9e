package dev.switchboard.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The {@link Outbox}'s queue: unbounded, many producers, one consumer, lock-free — Dmitry Vyukov's
 * non-intrusive MPSC node queue. A producer swaps its node in as the tail (one atomic exchange) and then links
 * its predecessor to it with a release store; the consumer follows the links with acquire loads and no atomic
 * instruction at all. {@code ConcurrentLinkedQueue}, which this replaces, pays a CAS on each side per item
 * (plus the occasional CAS moving head or tail) because it allows many consumers; an outbox has exactly one,
 * its connection's I/O thread, and a fan-out to 1,000 subscribers queues 1,000 items per message.
 *
 * <p>Between a producer's exchange and its link the item is in the queue but not yet visible to the consumer.
 * The window is two instructions long, so {@link #poll} spins for the link; only if the producer was pre-empted
 * inside the window does the spin give up and {@link #poll} return null while {@link #isEmpty} is already
 * false. The consumer must treat that as "try again", never as "empty": the outbox re-schedules its drain, so
 * its I/O thread serves other connections meanwhile instead of spinning for a thread that is not running.
 *
 * <p>A connection holds one node and this object while idle (32 bytes with compact object headers).
 */
final class FrameQueue {
    /** How long a poll waits for a producer to link the item it has swapped in: a few microseconds. */
    private static final int LINK_SPINS = 1_000;
    private static final VarHandle TAIL;
    private static final VarHandle NEXT;

    static {
        try {
            var lookup = MethodHandles.lookup();
            TAIL = lookup.findVarHandle(FrameQueue.class, "tail", Node.class);
            NEXT = lookup.findVarHandle(Node.class, "next", Node.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The consumer's stub: the last node taken (its item already handed out) or the initial empty node. */
    private Node head;
    @SuppressWarnings("unused") // accessed through TAIL
    private volatile Node tail;

    FrameQueue() {
        Node stub = new Node(null);
        head = stub;
        tail = stub;
    }

    /** Appends {@code item} (not null). Any thread. */
    void offer(Object item) {
        Node node = new Node(item);
        Node previous = (Node) TAIL.getAndSet(this, node);
        NEXT.setRelease(previous, node);
    }

    /**
     * Takes the oldest item, or returns null if there is none visible — which, unlike {@link #isEmpty}, does not
     * mean there is nothing queued: a producer between its exchange and its link is waited for only briefly
     * ({@link #LINK_SPINS}), since it may have been pre-empted there (see the class comment). Consumer thread only.
     */
    Object poll() {
        Node first = head;
        Node next = (Node) NEXT.getAcquire(first);
        if (next == null) {
            if (first == TAIL.getVolatile(this)) {
                return null; // empty
            }
            for (int spins = 0; (next = (Node) NEXT.getAcquire(first)) == null; spins++) {
                if (spins == LINK_SPINS) {
                    return null;
                }
                Thread.onSpinWait();
            }
        }
        Object item = next.item;
        next.item = null; // next is the new stub: it must not keep the item alive
        head = next;
        NEXT.set(first, first); // the old stub may already be in the old generation; do not let it reach younger nodes
        return item;
    }

    /** Whether nothing is queued, including items whose producers have not linked them yet. Consumer thread only. */
    boolean isEmpty() {
        return head == TAIL.getVolatile(this);
    }

    /** Drops every visible item. Consumer thread only. */
    void clear() {
        while (poll() != null) {
            // dropped
        }
    }

    private static final class Node {
        Object item;
        @SuppressWarnings("unused") // accessed through NEXT
        Node next;

        Node(Object item) {
            this.item = item;
        }
    }
}
