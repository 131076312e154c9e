package dev.switchboard.core.spi;

import dev.switchboard.protocol.RawJson;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The cluster-wide presence registry: which nodes hold which peers in which presence room. Each node registers its
 * own memberships, one entry per (room, peerId) that has at least one connection on that node; a peer's membership
 * of the room as clients see it is the union over nodes (protocol.md §7.3: tabs on two nodes are one member).
 *
 * <p>Every change of a room bumps the room's version and is announced to the nodes subscribed to the room through
 * the {@link Listener}, in version order. {@link #list} returns the room's entries with the version they are
 * current at, so a node that loads a room while deltas are in flight applies only the deltas after it.
 *
 * <p>Entries of a node that stops heart-beating (killed, cut off) are removed by the surviving nodes, with a
 * {@code left} delta each, within {@link #NODE_TIMEOUT_MILLIS} plus one heartbeat.
 */
public interface PresenceStore {
    /** A node that has not heart-beaten for this long is taken for dead and its entries removed. */
    long NODE_TIMEOUT_MILLIS = 9_000;

    /** Registers this node's first connection of {@code peerId} in {@code room}. Must not block. */
    void add(String app, String room, String peerId, RawJson metadata);

    /** Removes this node's entry of {@code peerId} in {@code room} (its last connection here left). */
    void remove(String app, String room, String peerId);

    /** The entries of other nodes in {@code room}, in join order, and the version they are current at. */
    CompletionStage<Members> list(String app, String room);

    /** One node's membership of a peer. */
    record Member(String node, String peerId, RawJson metadata) {
    }

    /** A room's entries of other nodes at {@code version}. */
    record Members(long version, List<Member> members) {
        public static final Members NONE = new Members(0, List.of());
    }

    /** A change to a room by another node: {@code member} joined, or left when {@code joined} is false. */
    record Delta(String app, String room, long version, Member member, boolean joined) {
    }

    /** Where a node receives the deltas of rooms it is subscribed to (through its {@link Broker}). */
    interface Listener {
        /** Called on the broker's thread in version order per room; must not block. */
        void delta(Delta delta);

        /**
         * The link to the store is back after a break: register this node's entries (its members, its peers)
         * again at once, since the store may have lost them. {@code storeLost} says it did (Redis restarted
         * empty): then counts reported before the break are gone too and must be reported again in full.
         */
        void reconnected(boolean storeLost);

        /**
         * Some time after {@link #reconnected} (when the other nodes have registered again too): whatever was
         * learnt through deltas may be stale, so every room must be listed afresh; versions start from the
         * listings, as a store that lost its data counts them anew.
         */
        void resynchronize();
    }
}
