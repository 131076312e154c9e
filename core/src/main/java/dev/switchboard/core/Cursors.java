package dev.switchboard.core;

import dev.switchboard.core.spi.Streams.Cursor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where the dropped connections of one app's peers stood in the streams of their channels (docs/history.md): kept
 * per peerId and channel until the history TTL, for the peer's next connection that subscribes to the channel. A
 * peer with several dropped connections (tabs) keeps one cursor per connection; each resubscribe claims one, the
 * oldest first, so that none of them misses a message whichever resubscribes first. A standalone node keeps them
 * here; the nodes of a cluster keep them in their engine ({@link dev.switchboard.core.spi.Streams}), the in-memory
 * one in one of these.
 */
public final class Cursors {
    /** Cursors kept per peer and channel: more dropped tabs than this resume from the oldest kept. */
    static final int PER_PEER_CHANNEL = dev.switchboard.core.spi.Streams.CURSORS_PER_PEER_CHANNEL;
    /** Cursors kept per app; past it the oldest expiring are dropped (their peers resume as from beyond the window). */
    static final int PER_APP = 200_000;

    private final ConcurrentHashMap<String, List<Cursor>> cursors = new ConcurrentHashMap<>();

    /** Keeps where a dropped connection of {@code peerId} stood in {@code channel}'s stream. */
    public void put(String peerId, String channel, Cursor cursor) {
        if (cursors.size() >= PER_APP) {
            return;
        }
        cursors.compute(key(peerId, channel), (key, list) -> {
            List<Cursor> next = list == null ? new ArrayList<>(1) : list;
            if (next.size() < PER_PEER_CHANNEL) {
                next.add(cursor);
            } else { // keep the oldest position: the newest is covered by it
                next.removeIf(kept -> kept.epoch().equals(cursor.epoch()) && kept.offset() > cursor.offset());
                if (next.size() < PER_PEER_CHANNEL) {
                    next.add(cursor);
                }
            }
            return next;
        });
    }

    /**
     * Takes the oldest unexpired cursor of {@code peerId} in {@code channel} — one of another epoch than
     * {@code epoch} first (its stream was lost, so it is behind everything) — or null if none.
     */
    public Cursor claim(String peerId, String channel, String epoch, long nowMillis) {
        Cursor[] claimed = new Cursor[1];
        cursors.computeIfPresent(key(peerId, channel), (key, list) -> {
            list.removeIf(cursor -> cursor.expiresAtMillis() <= nowMillis);
            Cursor oldest = null;
            for (Cursor cursor : list) {
                if (oldest == null || older(cursor, oldest, epoch)) {
                    oldest = cursor;
                }
            }
            if (oldest != null) {
                list.remove(oldest);
                claimed[0] = oldest;
            }
            return list.isEmpty() ? null : list;
        });
        return claimed[0];
    }

    private static boolean older(Cursor a, Cursor b, String epoch) {
        boolean aLost = !a.epoch().equals(epoch);
        boolean bLost = !b.epoch().equals(epoch);
        return aLost != bLost ? aLost : a.offset() < b.offset();
    }

    /** Drops expired cursors (the node's sweep). */
    public void sweep(long nowMillis) {
        for (String key : cursors.keySet()) {
            cursors.computeIfPresent(key, (k, list) -> {
                list.removeIf(cursor -> cursor.expiresAtMillis() <= nowMillis);
                return list.isEmpty() ? null : list;
            });
        }
    }

    int size() {
        return cursors.size();
    }

    private static String key(String peerId, String channel) {
        return peerId + '\0' + channel;
    }
}
