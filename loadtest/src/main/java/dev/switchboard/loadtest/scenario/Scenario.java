package dev.switchboard.loadtest.scenario;

import dev.switchboard.loadtest.peer.Peer;

/**
 * One measurement, run against one server at a time. Every scenario is bounded in connections and seconds,
 * warms up before it measures, and records generator and server CPU so a generator-bound figure is marked.
 * The runner starts a fresh server process for each scenario and stops it afterwards.
 */
public interface Scenario {
    String id();

    String title();

    /** Whether the scenario means anything for {@code peer} (e.g. presence churn needs presence). */
    boolean supports(Peer peer);

    /** Whether the server should run with presence turned on (a server setting for Centrifuge). */
    default boolean presence() {
        return false;
    }

    /** Whether the JVM server should run with Native Memory Tracking. */
    default boolean nmt() {
        return false;
    }

    void run(Target target, BenchContext ctx, Outcome out) throws Exception;
}
