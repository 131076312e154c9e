package dev.switchboard.core.spi;

import java.util.concurrent.CompletionStage;

/**
 * The usage counters of protocol.md §2.2 (4010) and limits.md (message quota) summed over the nodes of a cluster.
 * A node keeps its own counts and reports them here; admission under a connection cap asks here first.
 *
 * <p>Connections are counted per node, so the slots of a node that dies are given back when its entries are
 * removed. The message count is shared and exact at each report; between reports a node adds its own unreported
 * attempts, so an app can overshoot its quota by what the other nodes accept in one report interval.
 */
public interface ClusterCounters {

    /**
     * Takes one connection slot of {@code app} on this node if the cluster holds fewer than {@code cap}; completes
     * with false when it is full. Completes exceptionally when the cluster cannot be asked (the caller then decides
     * on its own count).
     */
    CompletionStage<Boolean> tryAcquire(String app, int cap);

    /** Gives back a slot {@link #tryAcquire} took. Must not block. */
    void release(String app);

    /**
     * Reports this node's counts of {@code app}: {@code connections} open here now (replacing any slot count
     * {@link #tryAcquire} kept), {@code opened} and {@code messages} since the previous report, for the period
     * starting at {@code periodStartMillis}. Completes with the cluster's totals after it.
     */
    CompletionStage<Totals> report(String app, long periodStartMillis, int connections, long opened, long messages);

    /**
     * The cluster's counts of one app.
     *
     * @param connections open connections on all live nodes
     * @param peakConnections the highest {@code connections} seen at any report or admission
     * @param opened connections admitted since the counters began
     * @param messages message attempts in the period
     */
    record Totals(int connections, int peakConnections, long opened, long messages) {
    }
}
