package dev.switchboard.core.spi;

import java.util.concurrent.CompletionStage;

/**
 * Finds a peer's connections on other nodes, for a direct {@code send} and a kick. A node registers each peerId
 * while it holds at least one connection of it.
 */
public interface PeerRouter {

    /**
     * This node now holds a connection of {@code peerId}. Must not block; completes once other nodes' sends and
     * kicks for the peer are sure to reach this node (exceptionally if that cannot be promised now; the
     * registration is still kept and renewed on reconnect).
     */
    java.util.concurrent.CompletionStage<Void> register(String app, String peerId);

    /** This node's last connection of {@code peerId} is gone. */
    void unregister(String app, String peerId);

    /**
     * Hands the encoded {@code direct} frame from peer {@code from} to every other node holding a connection of
     * {@code peerId}; completes with how many nodes took it (0: the peer is on no other node). It reaches the peer
     * after everything {@code from} caused before it on this node (protocol.md §8.3: its {@code joined} first).
     */
    CompletionStage<Integer> send(String app, String from, String peerId, byte[] frame);

    /** Closes every connection of {@code peerId} on other nodes with 4020; completes with how many were closed. */
    CompletionStage<Integer> kick(String app, String peerId);

    /** Where a node receives what other nodes route to its peers. Called on the router's thread; must not block. */
    interface Inbound {
        /** Delivers {@code frame} to this node's connections of {@code peerId}; returns how many. */
        int direct(String app, String peerId, byte[] frame);

        /** Closes this node's connections of {@code peerId} with 4020; returns how many. */
        int kick(String app, String peerId);

        /**
         * Another node's new connection of {@code peerId} resumes {@code channel}'s stream
         * ({@link Streams#takeOver}): the oldest confirmed position of this node's connections of the peer in it
         * that have unconfirmed messages (perhaps dead without this node knowing yet), which are marked taken over;
         * null if none.
         */
        default Streams.Cursor takeOver(String app, String peerId, String channel) {
            return null;
        }
    }
}
