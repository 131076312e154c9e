package dev.switchboard.core.spi;

import dev.switchboard.protocol.RawJson;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.ToIntFunction;

/**
 * The message history of the channels with history, shared by the nodes of a cluster (docs/history.md, "On a
 * cluster"): per channel a stream of the newest publications, each with its offset within the stream's epoch, and
 * per peer and channel the positions its dropped connections stood at (cursors), so that a peer resumes on any node.
 *
 * <p>A publication of such a channel is appended here, not handed to the {@link Broker}: the store gives it its
 * offset and brings it, with its position, to every node with a subscription it matches — this node included — in
 * offset order per channel, through {@link Broker.Inbound#publication}. Every node delivers it from there, the
 * publishing one too, so every node hands a channel's messages out in the same order, the stream's.
 *
 * <p>A stream is created with a new random epoch when it has none (never written, or lost: Redis restarted empty),
 * is bounded by its rule's size and TTL, and its epoch and offsets outlive idle spells of a day.
 */
public interface Streams {

    /** Cursors kept per peer and channel: more dropped tabs than this resume from the oldest kept. */
    int CURSORS_PER_PEER_CHANNEL = 8;

    /** How long an append waits for its own copy to come back before it completes without it. */
    long OWN_COPY_TIMEOUT_MILLIS = Broker.COUNT_TIMEOUT_MILLIS;

    /**
     * Appends {@code publication} to its channel's stream (kept to {@code size} entries and {@code ttlMillis}) and
     * brings it to the subscribed nodes. This node's own copy is handed to {@code here} (so the caller can leave
     * its sender out) instead of the inbound, in its place in the channel's order; if {@code comesBack} is false
     * (this node has no subscription it matches) or the copy does not come within {@link #OWN_COPY_TIMEOUT_MILLIS},
     * the append completes without it.
     *
     * <p>Completes, after {@code here} ran, with the number of connections it was handed to here, plus, if
     * {@code count}, on the other nodes (those that answer within {@link Broker#COUNT_TIMEOUT_MILLIS});
     * exceptionally if the store did not take it (then no node got it).
     */
    CompletionStage<Integer> append(Publication publication, int size, long ttlMillis, boolean comesBack,
                                    boolean count, ToIntFunction<Publication> here);

    /**
     * The retained entries of {@code channel}'s stream after offset {@code after} — after 0 if {@code epoch} is
     * given and is not the stream's — at most {@code limit}, oldest first; or, with {@code after} null, the newest
     * {@code limit}. A channel without a stream gets one (empty, of a new epoch): a node that reads it when its
     * first subscriber comes and the appends that follow agree on the epoch.
     */
    CompletionStage<Range> read(String app, String channel, String epoch, Long after, int limit);

    /** Keeps, until {@code cursor.expiresAtMillis()}, where a dropped connection of {@code peerId} stood. */
    void keepCursor(String app, String peerId, String channel, Cursor cursor);

    /**
     * Takes the oldest unexpired cursor of {@code peerId} in {@code channel} — one of another epoch than
     * {@code epoch} first (its stream was lost, so it is behind everything) — or completes with null if none.
     */
    CompletionStage<Cursor> claimCursor(String app, String peerId, String channel, String epoch, long nowMillis);

    /**
     * Where the peer's connections on other nodes stand in {@code channel}'s stream, for its new connection here
     * that subscribes: each node answers with the oldest confirmed position of its connections of the peer that
     * have unconfirmed messages — perhaps dead without that node knowing yet, as the old socket of a reconnect
     * that reached another node — and marks them taken over ({@link PeerRouter.Inbound#takeOver}). Completes with
     * the oldest answer, or null if none (nodes that do not answer within {@link Broker#COUNT_TIMEOUT_MILLIS} are
     * left out).
     */
    CompletionStage<Cursor> takeOver(String app, String peerId, String channel);

    /** The older of two positions ({@code null} for none): one of another epoch than {@code epoch} first. */
    static Cursor older(Cursor a, Cursor b, String epoch) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        boolean aLost = epoch != null && !a.epoch().equals(epoch);
        boolean bLost = epoch != null && !b.epoch().equals(epoch);
        return aLost != bLost ? (aLost ? a : b) : a.offset() <= b.offset() ? a : b;
    }

    /** One retained publication. */
    record Entry(long offset, long atMillis, String from, RawJson data, RawJson fromMetadata) {
    }

    /**
     * What a read found.
     *
     * @param epoch the stream's epoch
     * @param lastOffset the offset of the stream's newest publication (0 if none)
     * @param firstOffset the offset of its oldest retained entry ({@code lastOffset + 1} if none is retained)
     * @param entries what was asked for, oldest first
     */
    record Range(String epoch, long lastOffset, long firstOffset, List<Entry> entries) {
    }

    /** A dropped connection's position: the last message it is known to have. */
    record Cursor(long offset, String epoch, long expiresAtMillis) {
    }
}
