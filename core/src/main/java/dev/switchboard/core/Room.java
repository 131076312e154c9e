package dev.switchboard.core;

import dev.switchboard.protocol.Glob;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Everything subscribed to one exact subscription string of one app: its subscribers with their
 * {@code includeSenderMetadata} flag, and its presence members. A pattern subscription string
 * ({@code devices/*}) is a room of its own (protocol.md §6.4) with a compiled {@link Glob} for routing.
 *
 * <p>{@link #lock} is the per-channel critical section of docs/locks.md: subscribe, unsubscribe, publish
 * and presence changes of this room happen under it, and deliveries are enqueued (never written) under it.
 * A room whose last subscriber leaves is marked {@link #dead} and unlinked at once, so short-lived channels
 * do not pile up; a thread that finds a dead room looks the name up again.
 */
final class Room {
    final String name;
    /** Non-null for pattern subscriptions. */
    final Glob glob;
    final ReentrantLock lock = new ReentrantLock();
    /** Subscriber → includeSenderMetadata. */
    final Map<Session, Boolean> subscribers = new LinkedHashMap<>();
    final Presence presence;
    boolean dead;

    Room(String name) {
        this.name = name;
        this.presence = new Presence(name);
        this.glob = Glob.isPattern(name) ? Glob.compile(name) : null;
    }

    boolean isPattern() {
        return glob != null;
    }
}
