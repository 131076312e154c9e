package dev.switchboard.loadtest;

import dev.switchboard.loadtest.peer.JfrSummary;
import dev.switchboard.loadtest.peer.Peer;
import dev.switchboard.loadtest.peer.PeerProcess;
import dev.switchboard.loadtest.scenario.BenchContext;
import dev.switchboard.loadtest.scenario.ChatScenario;
import dev.switchboard.loadtest.scenario.ConnectStormScenario;
import dev.switchboard.loadtest.scenario.FanoutScenario;
import dev.switchboard.loadtest.scenario.IdleScenario;
import dev.switchboard.loadtest.scenario.Outcome;
import dev.switchboard.loadtest.scenario.PresenceChurnScenario;
import dev.switchboard.loadtest.scenario.PresenceModesScenario;
import dev.switchboard.loadtest.scenario.ResumeScenario;
import dev.switchboard.loadtest.scenario.Scenario;
import dev.switchboard.loadtest.scenario.Target;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The scenario sets for each run size, and running them against one server. */
public final class Bench {
    private Bench() {
    }

    public enum Size { SMOKE, QUICK, FULL }

    public static List<Scenario> scenarios(Size size) {
        return switch (size) {
            case SMOKE -> List.of(new FanoutScenario(20), new ChatScenario(10, 3, 2), new ConnectStormScenario(40, 16),
                    new IdleScenario(new int[] {100}, new int[] {100}), new PresenceChurnScenario(30, 6),
                    new FanoutScenario(FanoutScenario.HISTORY, 20), new PresenceModesScenario(150, 3),
                    new ResumeScenario(20, 10));
            case QUICK -> List.of(new FanoutScenario(Integer.getInteger("bench.fanout", 1000)),
                    new FanoutScenario(FanoutScenario.FAN_IN, 1000), new FanoutScenario(FanoutScenario.ROOMS, 1000),
                    new ChatScenario(Integer.getInteger("bench.chat.rooms", 2000), 5, 1),
                    new ConnectStormScenario(10_000, 256),
                    new IdleScenario(new int[] {10_000, 50_000, 100_000}, new int[] {10_000, 50_000}),
                    new PresenceChurnScenario(1000, 100),
                    new FanoutScenario(FanoutScenario.HISTORY, Integer.getInteger("bench.fanout", 1000)),
                    new PresenceModesScenario(10_000, 30), new ResumeScenario(1000, 100));
            case FULL -> List.of(new FanoutScenario(100, 1000, 10_000), new FanoutScenario(FanoutScenario.FAN_IN, 1000),
                    new FanoutScenario(FanoutScenario.ROOMS, 1000), new ChatScenario(2000, 5, 1),
                    new ConnectStormScenario(20_000, 256),
                    new IdleScenario(new int[] {10_000, 50_000, 100_000}, new int[] {10_000, 50_000, 100_000}),
                    new PresenceChurnScenario(1000, 100), new FanoutScenario(FanoutScenario.HISTORY, 100, 1000, 10_000),
                    new PresenceModesScenario(10_000, 50), new ResumeScenario(1000, 100));
        };
    }

    /** Runs {@code scenario} against an already running server (in-process, for the smoke test). */
    public static Outcome runAgainst(Peer peer, int port, Scenario scenario, BenchContext ctx) {
        Outcome out = new Outcome(scenario.id(), peer.label().split(" ")[0].equals("Switchboard")
                ? "Switchboard" : peer.label());
        try {
            scenario.run(new Target(peer, null, peer.protocols().create(scenario.presence()), port), ctx, out);
        } catch (Exception e) {
            out.error = e.toString();
        }
        return out;
    }

    /** Starts a fresh {@code peer} for {@code scenario}, runs it and stops the server again. */
    public static Outcome runWithProcess(Peer peer, String label, Peer.Layout layout, Path work, Placement placement,
                                         Scenario scenario, BenchContext ctx) {
        Outcome out = new Outcome(scenario.id(), label);
        PeerProcess proc = null;
        try {
            proc = PeerProcess.start(peer, layout, work, placement, scenario.presence(), scenario.nmt(),
                    scenario.id() + placement.fileTag()); // one log, GC log and recording per placement
            Thread.sleep(ctx.quick() ? 300 : 1000);
            scenario.run(new Target(peer, proc, peer.protocols().create(scenario.presence()), peer.port()), ctx, out);
            if (!proc.alive()) {
                out.note("the server process exited during the scenario (see " + proc.log().getFileName() + ")");
            }
        } catch (Exception e) {
            out.error = e.getClass().getSimpleName() + ": " + e.getMessage();
            ctx.log("FAILED: %s", out.error);
        } finally {
            if (proc != null) {
                proc.close();
                if (peer.jvm()) {
                    String gc = proc.gcPauses();
                    if (gc != null) {
                        out.note(gc + " (whole scenario, including connection set-up)");
                    }
                    out.hotSpots.addAll(JfrSummary.summarise(proc.javaHome(), proc.recording(), 12));
                }
            }
        }
        return out;
    }

    static List<String> sourceAddresses(int count) {
        List<String> list = new ArrayList<>();
        for (int i = 2; i < 2 + count; i++) {
            list.add("127.0.0." + i);
        }
        return list;
    }
}
