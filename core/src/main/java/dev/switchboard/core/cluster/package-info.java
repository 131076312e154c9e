/**
 * The in-memory channel engine: the nodes of one process sharing channels, presence, peers and counters through a
 * {@link dev.switchboard.core.cluster.MemoryBus}. A node on its own ({@link
 * dev.switchboard.core.cluster.MemoryCluster#standalone()}) is the embedded default.
 */
package dev.switchboard.core.cluster;
