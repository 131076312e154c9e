package dev.switchboard.core;

import dev.switchboard.core.spi.Streams;
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
    /** Cursors kept per peer and channel: past it the oldest positions are kept (see {@link #put}). */
    static final int PER_PEER_CHANNEL = dev.switchboard.core.spi.Streams.CURSORS_PER_PEER_CHANNEL;
    /**
     * Peers and channels with cursors per app; past it no more are kept until some expire (those peers start
     * afresh on their next connection, as from beyond the window).
     */
    static final int PER_APP = 200_000;

    private final ConcurrentHashMap<String, List<Cursor>> cursors = new ConcurrentHashMap<>();

    /**
     * Keeps where a dropped connection of {@code peerId} stood in {@code channel}'s stream. With
     * {@link #PER_PEER_CHANNEL} kept already, the oldest positions stay: the cursor replaces the kept one of its
     * epoch furthest on, if that is further on than it, else it is not kept.
     */
    public void put(String peerId, String channel, Cursor cursor) {
        if (cursors.size() >= PER_APP && !cursors.containsKey(key(peerId, channel))) {
            return;
        }
        cursors.compute(key(peerId, channel), (key, list) -> {
            List<Cursor> next = list == null ? new ArrayList<>(1) : list;
            if (next.size() >= PER_PEER_CHANNEL) {
                Cursor furthest = null;
                for (Cursor kept : next) {
                    if (kept.epoch().equals(cursor.epoch()) && kept.offset() > cursor.offset()
                            && (furthest == null || kept.offset() > furthest.offset())) {
                        furthest = kept;
                    }
                }
                if (furthest == null) {
                    return next;
                }
                next.remove(furthest);
            }
            next.add(cursor);
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
                oldest = Streams.older(oldest, cursor, epoch);
            }
            if (oldest != null) {
                list.remove(oldest);
                claimed[0] = oldest;
            }
            return list.isEmpty() ? null : list;
        });
        return claimed[0];
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
